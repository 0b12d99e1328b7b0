// Verifies the signature of an Aval webhook delivery (Standard Webhooks, v1 = HMAC-SHA256); Java 11+, JDK only.
// Run: AVAL_WEBHOOK_SECRET=whsec_... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... WEBHOOK_SIGNATURE='v1,...' \
//        java Verify.java body.json        // prints "valid" (exit 0) or "invalid: <reason>" (exit 1)
// Copy verify() into your handler and give it the raw request body (byte[], before any JSON parsing).
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class Verify {
    public static class InvalidWebhook extends Exception {
        public InvalidWebhook(String reason) { super(reason); }
    }

    private static final Pattern BASE64 =
        Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,15}");
    private static final long TOLERANCE = 300; // seconds, either way

    /** Returns true when the delivery is genuine and recent; throws InvalidWebhook(reason) otherwise. */
    public static boolean verify(String secret, String id, String timestamp, String signatureHeader, byte[] body)
            throws InvalidWebhook {
        String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        if (encoded.isEmpty() || !BASE64.matcher(encoded).matches()) {
            throw new InvalidWebhook("secret is not whsec_ + base64");
        }
        byte[] key = Base64.getDecoder().decode(encoded);
        if (!SECONDS.matcher(timestamp).matches()) {
            throw new InvalidWebhook("timestamp is not a number of seconds");
        }
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > TOLERANCE) {
            throw new InvalidWebhook("timestamp too old or too new");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            expected = Base64.getEncoder().encode(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new InvalidWebhook("could not compute the signature: " + e.getMessage());
        }
        for (String entry : signatureHeader.trim().split("\\s+")) {
            if (!entry.startsWith("v1,")) continue;
            byte[] candidate = entry.substring(3).getBytes(StandardCharsets.UTF_8);
            // Constant time for equal lengths; false for different lengths.
            if (MessageDigest.isEqual(candidate, expected)) return true;
        }
        throw new InvalidWebhook("no matching signature");
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: AVAL_WEBHOOK_SECRET=... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... "
                + "WEBHOOK_SIGNATURE=... java Verify.java BODY_FILE");
            System.exit(2);
        }
        byte[] body = null;
        try {
            body = Files.readAllBytes(Paths.get(args[0]));
        } catch (java.io.IOException e) {
            System.err.println("cannot read the body: " + e);
            System.exit(2);
        }
        String[] names = {"AVAL_WEBHOOK_SECRET", "WEBHOOK_ID", "WEBHOOK_TIMESTAMP", "WEBHOOK_SIGNATURE"};
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = System.getenv(names[i]);
            if (values[i] == null || values[i].isEmpty()) {
                System.out.println("invalid: " + names[i] + " is not set");
                System.exit(1);
            }
        }
        try {
            verify(values[0], values[1], values[2], values[3], body);
        } catch (InvalidWebhook reason) {
            System.out.println("invalid: " + reason.getMessage());
            System.exit(1);
        }
        System.out.println("valid");
    }
}
