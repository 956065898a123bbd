/*
 * A stand-in for a WSO2 Carbon server, for carbondump's tests, benchmarks and demo.
 *
 * It generates a realistic CARBON_HOME from a product's fixture list (or reuses one
 * generated before), then runs as that product would: H2 databases open, a loopback
 * port listening, wso2carbon.pid written, wso2carbon.log growing. It keeps a known heap
 * population (HeapResidents), a zoo of threads in every state (ThreadZoo) and the
 * problems asked for with --plant (Plants). When all of that is observably in place it
 * prints one line, "READY pid=<pid> home=<home>", and runs until killed (or until stdin
 * closes with --exit-on-stdin-eof). Exit status: 0 normal, 1 usage error, 2 failure.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class DemoCarbonServer {
    private static final long STATES_TIMEOUT_MILLIS = 60_000;
    // Allocated up front: once the heap plants run, the main thread must not need memory,
    // or an OutOfMemoryError would end it and with it the server.
    private static final Object END = new Object();
    private static final byte[] STDIN_BUFFER = new byte[4096];
    // Held for the life of the server: the port is part of what a collector should see.
    private static ServerSocket loopbackPort;

    private final ServerOptions options;

    private DemoCarbonServer(ServerOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        if (ServerOptions.wantsHelp(args)) {
            System.out.print(ServerOptions.USAGE);
            return;
        }
        ServerOptions options;
        try {
            options = ServerOptions.parse(args, System.getProperty("carbon.home"));
        } catch (UsageException e) {
            System.err.println("DemoCarbonServer: " + e.getMessage());
            System.err.print(ServerOptions.USAGE);
            System.exit(1);
            return;
        }
        DemoCarbonServer server = new DemoCarbonServer(options);
        String readyLine;
        try {
            readyLine = server.start();
        } catch (HarnessException e) {
            System.err.println("DemoCarbonServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (readyLine == null) {
            return; // --generate-only
        }
        // start()'s frame held the canary register; with it gone, one collection leaves
        // no CDSECRET- or CDKEYMATERIAL- text in the heap (HeapResidents' canaries stay).
        System.gc();
        System.out.println(readyLine);
        System.out.flush();
        Plants.plantAfterReady(options.plants);
        server.waitForEnd();
    }

    /** Generates or reuses the home and starts the server; returns the READY line, or null. */
    private String start() {
        Path home = options.home.toAbsolutePath().normalize();
        GeneratedHome generated = CarbonHomeGenerator.ensure(home, options.style, options.scale,
                options.homeBytes);
        if (generated.generationMillis >= 0) {
            System.err.println("DemoCarbonServer: generated " + generated.fileCount + " files, "
                    + generated.byteCount + " bytes in " + generated.generationMillis + " ms");
        }
        if (options.generateOnly) {
            HarnessMetadata.write(generated, null);
            System.out.println("GENERATED home=" + home);
            return null;
        }
        HarnessMetadata.ServerFacts server = startServer(home, generated);
        HarnessMetadata.write(generated, server);
        return "READY pid=" + server.pid + " home=" + home;
    }

    /** Brings up everything READY promises; returns the facts for the metadata file. */
    private HarnessMetadata.ServerFacts startServer(Path home, GeneratedHome generated) {
        System.setProperty("carbon.home", home.toString());
        HeapResidents.pin();
        openDatabases(home, generated.databaseFiles);
        KeyMaterial.loadKeystores(home, generated.keyMaterialFiles);
        int port = listenOnLoopback();
        List<ExpectedThread> threads = new ArrayList<>(ThreadZoo.start(loopbackPort, options.hasPlant("oddnames")));
        threads.addAll(Plants.plantAll(options.plants, home));
        ExpectedThread.awaitAll(threads, STATES_TIMEOUT_MILLIS);
        Plants.awaitDeadlocks(options.plants);
        long pid = ProcessHandle.current().pid();
        Path pidFile = PidFile.write(home, pid);
        LogAppender.start(home, generated.style);
        return new HarnessMetadata.ServerFacts(pid, pidFile, port, options.plants, threads);
    }

    private static void openDatabases(Path home, List<String> databaseFiles) {
        if (databaseFiles.isEmpty()) {
            return;
        }
        List<Path> bases = new ArrayList<>();
        for (String file : databaseFiles) {
            bases.add(home.resolve(file.substring(0, file.length() - ".mv.db".length())));
        }
        H2Databases.load().openAll(bases);
    }

    private static int listenOnLoopback() {
        try {
            loopbackPort = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            return loopbackPort.getLocalPort();
        } catch (IOException e) {
            throw new HarnessException("cannot listen on a loopback port", e);
        }
    }

    private void waitForEnd() {
        if (options.exitOnStdinEof) {
            drain(System.in);
            System.exit(0);
        }
        synchronized (END) {
            while (true) {
                try {
                    END.wait();
                } catch (InterruptedException e) {
                    // only a signal ends the server
                }
            }
        }
    }

    private static void drain(InputStream in) {
        try {
            while (in.read(STDIN_BUFFER) >= 0) {
                // only the end of the stream matters
            }
        } catch (IOException e) {
            // a broken stdin counts as closed
        }
    }
}
