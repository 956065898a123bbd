/*
 * A target for tests/integration/jdk_threads_virtual.sh: on JDK 21 and later,
 * five virtual threads sleeping (unmounted) and one spinning (mounted on a
 * carrier, named cd-virtual-spin by its task); before JDK 21, no virtual
 * thread at all. Prints "READY" when they run. Plain Java 11 source, started
 * with the virtual thread API through reflection so that it compiles anywhere.
 */
import java.lang.reflect.Method;
import java.util.concurrent.CountDownLatch;

public final class VirtualThreads {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        CountDownLatch spinning = new CountDownLatch(1);
        if (Runtime.version().feature() >= 21) {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
            for (int i = 0; i < 5; i++) {
                start.invoke(builder, (Runnable) VirtualThreads::sleepForever);
            }
            start.invoke(builder, (Runnable) () -> spin(spinning));
        } else {
            spinning.countDown();
        }
        spinning.await();
        System.out.println("READY");
        sleepForever();
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void spin(CountDownLatch started) {
        started.countDown();
        long x = 0;
        while (true) {
            x++;
            if ((x & 0xfffff) == 0) {
                sink = x;
            }
        }
    }
}
