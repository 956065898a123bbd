/*
 * A small JVM with a heap whose every value a test knows, for the heap dump
 * tests (tests/integration/jdk_heapdump.sh): started, it builds its objects,
 * prints "READY", and sleeps until killed.
 *
 *  - 777 instances of HeapFixture$Leaf, whose class hierarchy exercises the
 *    rules by which JVMTI numbers fields (interfaces with constants, one of
 *    them reached twice; superclasses with statics and instance fields of every
 *    primitive type): field i of instance n holds a value derived from n, and
 *    instance n's next is instance (n + 1) % 777;
 *  - Strings starting with the planted secret prefix (built at run time, so
 *    that the prefix never appears as a whole in a class file), referenced from
 *    a static and from instances;
 *  - a thread named "cd-fixture-worker" parked forever;
 *  - 300 instances of HeapFixture$Dropped, unreachable from READY on (with a
 *    200 MB young generation and nothing allocating, no collection takes them
 *    before a dump does, unless the dump asks for live objects only);
 *  - with the argument "churn", a thread that loads a new class every
 *    millisecond (HeapFixture$Churned, each time by a new class loader) and
 *    keeps the last 64 instances, so that classes appear during a dump.
 */
import java.util.ArrayList;
import java.util.List;

public final class HeapFixture {
    static final int LEAVES = 777;

    interface Named {
        int NAMED_A = 11;
        String NAMED_B = "named";
    }

    interface Tagged extends Named {
        long TAGGED = 22L;
    }

    interface Marker {
    }

    interface Sized extends Marker {
        int SIZE = 33;
        int OTHER = 44;
    }

    abstract static class Base implements Sized {
        static int baseStatic = 3;
        boolean flag;
        byte small;
        char letter;
        Object baseRef;
    }

    static class Middle extends Base implements Tagged {
        short medium;
        static String middleStatic = "middle-static";
        float ratio;
        String label;
    }

    static final class Leaf extends Middle implements Named, Sized {
        static final long CONSTANT = 99L;
        static long leafStatic = -7L;
        int id;
        long stamp;
        double weight;
        Leaf next;
        int[] numbers;
        String secret;
    }

    static final class Dropped {
        int n;
    }

    public static final class Churned {
        public Churned() {
        }
    }

    /* Defines one class, so that each instance loads a class of its own. */
    static final class OneClassLoader extends ClassLoader {
        OneClassLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(byte[] bytes) {
            return defineClass(Churned.class.getName(), bytes, 0, bytes.length);
        }
    }

    static final List<Leaf> LEAF_LIST = new ArrayList<>();
    static final Object[] CHURNED = new Object[64];
    static String plantedSecret;

    private static String secretPrefix() {
        // Joined at run time: the prefix must exist only in the heap.
        return String.join("", "CDHEAP", "SECRET-");
    }

    public static void main(String[] args) throws Exception {
        String prefix = secretPrefix();
        plantedSecret = prefix + "static-" + Long.toHexString(System.nanoTime());
        Leaf[] leaves = new Leaf[LEAVES];
        for (int n = 0; n < LEAVES; n++) {
            Leaf leaf = new Leaf();
            leaf.flag = n % 2 == 1;
            leaf.small = (byte) (n % 100 - 50);
            leaf.letter = (char) ('A' + n % 26);
            leaf.medium = (short) (n * 3 - 1000);
            leaf.ratio = n / 8.0f;
            leaf.label = "leaf-" + n;
            leaf.id = n;
            leaf.stamp = n * 1000003L;
            leaf.weight = n / 4.0;
            leaf.numbers = new int[] {n, -n, n * n};
            leaf.secret = n % 100 == 0 ? prefix + "leaf-" + n : null;
            leaf.baseRef = n % 3 == 0 ? leaf.numbers : leaf.label;
            leaves[n] = leaf;
            LEAF_LIST.add(leaf);
        }
        for (int n = 0; n < LEAVES; n++)
            leaves[n].next = leaves[(n + 1) % LEAVES];
        Thread worker = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "cd-fixture-worker");
        worker.setDaemon(true);
        worker.start();
        if (args.length > 0 && args[0].equals("churn"))
            startChurn();
        Dropped[] dropped = new Dropped[300];
        for (int n = 0; n < dropped.length; n++) {
            dropped[n] = new Dropped();
            dropped[n].n = n;
        }
        dropped = null;
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void startChurn() throws java.io.IOException {
        byte[] bytes;
        try (java.io.InputStream in = HeapFixture.class.getResourceAsStream("HeapFixture$Churned.class")) {
            bytes = in.readAllBytes();
        }
        Thread churn = new Thread(() -> {
            for (long n = 0; ; n++) {
                try {
                    Class<?> cls = new OneClassLoader(HeapFixture.class.getClassLoader()).define(bytes);
                    CHURNED[(int) (n % CHURNED.length)] = cls.getDeclaredConstructor().newInstance();
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }, "cd-fixture-churn");
        churn.setDaemon(true);
        churn.start();
    }
}
