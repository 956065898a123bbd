/*
 * Builds a real self-signed X.509 v3 certificate (SHA256withECDSA) from a key pair and a
 * distinguished name, by encoding the DER by hand. The JDK has no public API for this
 * (keytool uses internal classes) and BouncyCastle is not available, yet a JKS keystore
 * can only hold keys that come with a certificate chain.
 *
 * The subject's OU carries a canary: JKS stores certificates unencrypted, so the canary
 * shows up in a grep of the keystore's bytes.
 */
package org.carbondump.harness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

final class SelfSignedCertificate {
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OBJECT_IDENTIFIER = 0x06;
    private static final int UTF8_STRING = 0x0c;
    private static final int PRINTABLE_STRING = 0x13;
    private static final int UTC_TIME = 0x17;
    private static final int EXPLICIT_TAG_0 = 0xa0;

    private static final int[] SHA256_WITH_ECDSA = {1, 2, 840, 10045, 4, 3, 2};
    private static final int[] COUNTRY = {2, 5, 4, 6};
    private static final int[] STATE = {2, 5, 4, 8};
    private static final int[] LOCALITY = {2, 5, 4, 7};
    private static final int[] ORGANIZATION = {2, 5, 4, 10};
    private static final int[] ORGANIZATIONAL_UNIT = {2, 5, 4, 11};
    private static final int[] COMMON_NAME = {2, 5, 4, 3};

    // Fixed validity keeps generated certificates independent of the day they are made.
    private static final String NOT_BEFORE = "240101000000Z";
    private static final String NOT_AFTER = "491231235959Z";

    private SelfSignedCertificate() {
    }

    /** A certificate for CN=localhost, OU=`unit`, O=WSO2, ..., signed by its own key. */
    static X509Certificate create(KeyPair keys, String unit, long serial) throws GeneralSecurityException {
        byte[] name = name(unit);
        byte[] algorithm = tlv(SEQUENCE, oid(SHA256_WITH_ECDSA)); // ECDSA takes no parameters
        byte[] tbs = tlv(SEQUENCE, concat(
                tlv(EXPLICIT_TAG_0, integer(BigInteger.valueOf(2))),
                integer(BigInteger.valueOf(serial).abs().add(BigInteger.ONE)),
                algorithm,
                name,
                tlv(SEQUENCE, concat(utcTime(NOT_BEFORE), utcTime(NOT_AFTER))),
                name,
                keys.getPublic().getEncoded()));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = concat(new byte[] {0}, signer.sign());
        byte[] der = tlv(SEQUENCE, concat(tbs, algorithm, tlv(BIT_STRING, signature)));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /** The subject line as `openssl x509 -subject` prints it. */
    static String opensslSubject(String unit) {
        return "C = US, ST = CA, L = Mountain View, O = WSO2, OU = " + unit + ", CN = localhost";
    }

    private static byte[] name(String unit) {
        return tlv(SEQUENCE, concat(
                attribute(COUNTRY, PRINTABLE_STRING, "US"),
                attribute(STATE, UTF8_STRING, "CA"),
                attribute(LOCALITY, UTF8_STRING, "Mountain View"),
                attribute(ORGANIZATION, UTF8_STRING, "WSO2"),
                attribute(ORGANIZATIONAL_UNIT, UTF8_STRING, unit),
                attribute(COMMON_NAME, UTF8_STRING, "localhost")));
    }

    private static byte[] attribute(int[] type, int stringTag, String value) {
        return tlv(SET, tlv(SEQUENCE, concat(oid(type),
                tlv(stringTag, value.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    private static byte[] utcTime(String time) {
        return tlv(UTC_TIME, time.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(int[] arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            writeBase128(out, arcs[i]);
        }
        return tlv(OBJECT_IDENTIFIER, out.toByteArray());
    }

    private static void writeBase128(ByteArrayOutputStream out, int value) {
        int shift = 28;
        while (shift > 0 && (value >>> shift) == 0) {
            shift -= 7;
        }
        for (; shift > 0; shift -= 7) {
            out.write(0x80 | ((value >>> shift) & 0x7f));
        }
        out.write(value & 0x7f);
    }

    /** Tag, DER length (short or long form), value. */
    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int lengthBytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | lengthBytes);
            for (int i = lengthBytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.write(value, 0, value.length);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
