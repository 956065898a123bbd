/*
 * Key material of a generated home: every *.jks *.p12 *.pfx *.keystore *.pem *.key path
 * of the fixture list becomes a real keystore of its type or real PEM text, and the
 * password, password-tmp and password-persist files at the home's root are created.
 * A collector must list and checksum these files but never copy them.
 *
 * Each file carries a CDKEYMATERIAL- canary: in the keystore certificate's OU (stored in
 * the clear in JKS, and in PKCS12 because the certificate bag is written unencrypted,
 * see below), in the PEM "Bag Attributes" header, or as the password file's content.
 * One EC key pair, generated in the background, serves the whole home, and keystores
 * are protected with Carbon's default password "wso2carbon"; their bytes differ between
 * runs (random salts, entry dates), unlike the rest of the tree.
 *
 * The running server loads every keystore at start-up and keeps it, as Carbon's
 * KeyStoreManager does, so keystore certificates (and their canaries) are always in
 * its heap, whether or not this run generated them; PEM certificates carry no canary
 * in the certificate itself, so nothing of a PEM file stays in the heap.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

final class KeyMaterial {
    static final List<String> EXTENSIONS = Arrays.asList(".jks", ".p12", ".pfx", ".keystore", ".pem", ".key");
    static final List<String> ROOT_PASSWORD_FILES = Arrays.asList("password", "password-tmp", "password-persist");
    private static final char[] STORE_PASSWORD = "wso2carbon".toCharArray();
    private static final String ALIAS = "wso2carbon";
    private static final int KEYSTORE_BUFFER_BYTES = 8 * 1024;
    private static final String PEM_UNIT = "Carbon";
    private static final List<KeyStore> LOADED_KEYSTORES = new ArrayList<>();

    private final HomeWriter out;
    private final CanaryBook book;
    /** Null in dry-run mode, which writes no key material. */
    private final Background<KeyPair> keys;

    /** Starts generating the home's key pair at once; it is ready by the time it is needed. */
    KeyMaterial(HomeWriter out, CanaryBook book) {
        this.out = out;
        this.book = book;
        this.keys = out.dryRun() ? null : Background.start("cd-keygen", KeyMaterial::generateKeyPair);
    }

    static boolean isKeyMaterial(String relativePath) {
        String lower = relativePath.toLowerCase();
        for (String extension : EXTENSIONS) {
            if (lower.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }

    /** Writes the key material file at `relativePath` (one of EXTENSIONS). */
    void write(String relativePath) {
        String canary = book.forFile(relativePath).keyMaterial(label(relativePath), contextOf(relativePath));
        book.addKeyMaterialFile(relativePath);
        if (out.dryRun()) {
            return;
        }
        try {
            String lower = relativePath.toLowerCase();
            if (lower.endsWith(".pem")) {
                out.text(relativePath, certificatePem(canary));
            } else if (lower.endsWith(".key")) {
                out.text(relativePath, privateKeyPem(canary));
            } else {
                writeKeystore(relativePath, keystoreType(relativePath), canary);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new HarnessException("cannot create key material " + out.resolve(relativePath), e);
        }
    }

    /** Writes one of the root password files; real ones hold the keystore password, no newline. */
    void writePasswordFile(String name) {
        String canary = book.forFile(name).keyMaterial("root-" + name + "-file", "whole file content");
        book.addKeyMaterialFile(name);
        out.text(name, canary);
    }

    /** Loads every keystore among `keyMaterialFiles` and keeps it for the life of the server. */
    static void loadKeystores(Path home, List<String> keyMaterialFiles) {
        for (String relativePath : keyMaterialFiles) {
            String type = keystoreType(relativePath);
            if (type == null) {
                continue;
            }
            Path file = home.resolve(relativePath);
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(in, STORE_PASSWORD);
                if (store.isKeyEntry(ALIAS)) {
                    store.getKey(ALIAS, STORE_PASSWORD);
                }
                LOADED_KEYSTORES.add(store);
            } catch (GeneralSecurityException | IOException e) {
                throw new HarnessException("cannot load keystore " + file, e);
            }
        }
    }

    /** JKS or PKCS12 for keystore files, null for PEM and other key material. */
    private static String keystoreType(String relativePath) {
        String lower = relativePath.toLowerCase();
        if (lower.endsWith(".p12") || lower.endsWith(".pfx")) {
            return "PKCS12";
        }
        if (lower.endsWith(".jks") || lower.endsWith(".keystore")) {
            return "JKS";
        }
        return null;
    }

    private static String label(String relativePath) {
        return relativePath.startsWith(HomeContext.SECURITY_DIR)
                ? relativePath.substring(HomeContext.SECURITY_DIR.length())
                : relativePath;
    }

    private static String contextOf(String relativePath) {
        String lower = relativePath.toLowerCase();
        if (lower.endsWith(".pem") || lower.endsWith(".key")) {
            return "PEM Bag Attributes header (friendlyName)";
        }
        return "certificate subject OU inside the keystore";
    }

    // EC P-256 rather than Carbon's RSA-2048: a real key either way, but RSA generation
    // costs most of a CPU-second, which small homes cannot afford.
    private static KeyPair generateKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private KeyPair keys() {
        return keys.get();
    }

    private void writeKeystore(String relativePath, String type, String canary)
            throws GeneralSecurityException, IOException {
        // The words after the canary end it for a grep: in DER the next byte would be 0x30
        // or 0x31, which reads as a digit and would run on into the canary's number.
        X509Certificate certificate = SelfSignedCertificate.create(keys(), canary + " Carbon Keystore",
                StableHash.of(relativePath));
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        if (relativePath.contains("truststore")) {
            // Trust stores hold certificates only, among them the server's own.
            store.setCertificateEntry(ALIAS, certificate);
            store.setCertificateEntry("gateway_certificate_alias", certificate);
        } else {
            store.setKeyEntry(ALIAS, keys().getPrivate(), STORE_PASSWORD, new Certificate[] {certificate});
        }
        if (type.equals("PKCS12")) {
            // PKCS12 encrypts certificate bags by default, which would hide the canary from a
            // grep of the bundle; keys stay encrypted (shrouded) regardless.
            Security.setProperty("keystore.pkcs12.certProtectionAlgorithm", "NONE");
        }
        try (OutputStream stream = out.open(relativePath, KEYSTORE_BUFFER_BYTES)) {
            store.store(stream, STORE_PASSWORD);
        }
    }

    // The JDK caches every certificate it parses for the life of the process, so the
    // canary stays out of the PEM certificate and lives in the header only.
    private String certificatePem(String canary) throws GeneralSecurityException {
        X509Certificate certificate = SelfSignedCertificate.create(keys(), PEM_UNIT, StableHash.of(canary));
        return new TextLines().add("Bag Attributes",
                "    friendlyName: " + canary,
                "subject=" + SelfSignedCertificate.opensslSubject(PEM_UNIT),
                "issuer=" + SelfSignedCertificate.opensslSubject(PEM_UNIT),
                "-----BEGIN CERTIFICATE-----",
                base64Lines(certificate.getEncoded()),
                "-----END CERTIFICATE-----").toString();
    }

    private String privateKeyPem(String canary) throws GeneralSecurityException {
        return new TextLines().add("Bag Attributes",
                "    friendlyName: " + canary,
                "Key Attributes: <No Attributes>",
                "-----BEGIN PRIVATE KEY-----",
                base64Lines(keys().getPrivate().getEncoded()),
                "-----END PRIVATE KEY-----").toString();
    }

    private static String base64Lines(byte[] der) {
        return new String(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encode(der),
                StandardCharsets.US_ASCII);
    }
}
