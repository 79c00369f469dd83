package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.Moto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/deploy-dialer} against moto's CloudFormation, S3 and CloudFront: the stack's outputs come from a real
 * describe-stacks (a small stack with the template's output names), the page from a fixture build.
 */
class DeployDialerIT {
    private static final String API_BASE = "https://abc123.execute-api.us-east-1.amazonaws.com/aicallgo/api/v1/cold-call";
    private static final String CONFIG_JS = "window.DIALER_CONFIG = {\"apiBaseUrl\": \"" + API_BASE + "\"};";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    record Result(int exit, String output) {
    }

    /** Runs a command with the AWS CLI pointed at moto (fake keys; nothing of the developer's AWS setup). */
    private static Result run(Path directory, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_"));
        env.put("AWS_ENDPOINT_URL", Moto.endpoint());
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", directory.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", directory.resolve("no-aws-credentials").toString());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static String aws(Path work, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "aws";
        System.arraycopy(args, 0, command, 1, args.length);
        Result result = run(work, command);
        assertEquals(0, result.exit(), String.join(" ", command) + ": " + result.output());
        return result.output().strip();
    }

    /** A CloudFront distribution in moto (the script invalidates it). */
    private static String distribution(Path work) throws Exception {
        Path config = work.resolve("distribution.json");
        Files.writeString(config, """
                {"CallerReference": "%s", "Comment": "", "Enabled": true,
                 "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "dialer.s3.amazonaws.com",
                   "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
                 "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                   "TrustedSigners": {"Enabled": false, "Quantity": 0},
                   "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}, "MinTTL": 0}}
                """.formatted(UUID.randomUUID()));
        return aws(work, "cloudfront", "create-distribution", "--distribution-config", config.toUri().toString(),
                "--query", "Distribution.Id", "--output", "text");
    }

    record Stack(String name, String bucket) {
    }

    /** A stack with a bucket and the outputs bin/deploy-dialer reads, under the template's output names. */
    private static Stack stack(Path work, String outputs) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Stack stack = new Stack("dialer-" + id, "dialer-bucket-" + id);
        Path body = work.resolve("stack.yaml");
        Files.writeString(body, """
                Resources:
                  DialerBucket:
                    Type: AWS::S3::Bucket
                    Properties:
                      BucketName: %s
                Outputs:
                  DialerBucketName:
                    Value: !Ref DialerBucket
                %s""".formatted(stack.bucket(), outputs));
        aws(work, "cloudformation", "create-stack", "--stack-name", stack.name(), "--template-body", body.toUri().toString());
        return stack;
    }

    record S3Object(int status, String contentType, String cacheControl, String body) {
    }

    /** Reads moto's REST API directly: moto takes any SigV4-shaped header and names the service from its scope. */
    private static HttpURLConnection moto(String method, String path, String service) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(Moto.endpoint() + path).toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setRequestProperty("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                + service + "/aws4_request, SignedHeaders=host, Signature=0");
        return connection;
    }

    private static S3Object get(String bucket, String key) throws IOException {
        HttpURLConnection connection = moto("GET", "/" + bucket + "/" + key, "s3");
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new S3Object(status, connection.getHeaderField("Content-Type"), connection.getHeaderField("Cache-Control"), body);
    }

    private static void put(String bucket, String key, String body) throws IOException {
        HttpURLConnection connection = moto("PUT", "/" + bucket + "/" + key, "s3");
        connection.setDoOutput(true);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(200, connection.getResponseCode());
    }

    private static Set<String> keys(String bucket) throws IOException {
        HttpURLConnection connection = moto("GET", "/" + bucket + "?list-type=2", "s3");
        String xml = new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Set<String> keys = new TreeSet<>();
        Matcher key = Pattern.compile("<Key>([^<]*)</Key>").matcher(xml);
        while (key.find()) {
            keys.add(key.group(1));
        }
        return keys;
    }

    private static int invalidations(String distributionId) throws IOException {
        HttpURLConnection connection = moto("GET", "/2020-05-31/distribution/" + distributionId + "/invalidation", "cloudfront");
        String xml = new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher quantity = Pattern.compile("<Quantity>(\\d+)</Quantity>").matcher(xml);
        assertTrue(quantity.find(), xml);
        return Integer.parseInt(quantity.group(1));
    }

    /** What `npm run build` leaves: the page, one hashed bundle and stylesheet, an icon, and a local config.js. */
    private static Path fixtureBuild(Path work) throws IOException {
        Path dist = work.resolve("dist");
        Files.createDirectories(dist.resolve("assets"));
        Files.writeString(dist.resolve("index.html"), "<!doctype html><meta http-equiv=\"Content-Security-Policy\" "
                + "content=\"default-src 'self'; connect-src 'self' wss://rtc.telnyx.com\">"
                + "<script src=\"config.js\"></script><script type=\"module\" src=\"assets/index-4f3a9c1b.js\"></script>");
        Files.writeString(dist.resolve("assets/index-4f3a9c1b.js"), "console.log(window.DIALER_CONFIG);");
        Files.writeString(dist.resolve("assets/index-Ab12Cd34.css"), "body{margin:0}");
        Files.writeString(dist.resolve("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        Files.writeString(dist.resolve("config.js"), "window.DIALER_CONFIG = {\"apiBaseUrl\": \"/aicallgo/api/v1/cold-call\"};");
        return dist;
    }

    @Test
    void publishesTheBuildWithConfigFromTheStackHeadersPerFileAndAnInvalidation(@TempDir Path work) throws Exception {
        String distributionId = distribution(work);
        Stack stack = stack(work, """
                  ApiBaseUrl:
                    Value: %s
                  DialerDistributionId:
                    Value: %s
                  DialerUrl:
                    Value: https://d111111abcdef8.cloudfront.net/
                """.formatted(API_BASE, distributionId));
        String bucket = stack.bucket();
        put(bucket, "assets/index-0ld0ld00.js", "an earlier build's bundle");
        Path dist = fixtureBuild(work);
        String localConfig = Files.readString(dist.resolve("config.js"));

        Result deploy = run(Fixtures.root(), Fixtures.root().resolve("bin/deploy-dialer").toString(),
                "--stack-name", stack.name(), "--dist", dist.toString());
        assertEquals(0, deploy.exit(), deploy.output());
        assertTrue(deploy.output().contains("https://d111111abcdef8.cloudfront.net/"), deploy.output());

        S3Object config = get(bucket, "config.js");
        assertEquals(200, config.status());
        assertEquals(CONFIG_JS, config.body(), "config.js is exactly the contract's line");
        assertEquals("text/javascript; charset=utf-8", config.contentType());
        assertEquals("no-cache", config.cacheControl());

        S3Object index = get(bucket, "index.html");
        assertEquals("text/html; charset=utf-8", index.contentType());
        assertEquals("no-cache", index.cacheControl());
        assertEquals(Files.readString(dist.resolve("index.html")).replace("connect-src 'self' wss:",
                "connect-src 'self' https://abc123.execute-api.us-east-1.amazonaws.com wss:"), index.body(),
                "the page may connect to its API's origin (and no other path of it is needed)");
        assertFalse(Files.readString(dist.resolve("index.html")).contains("execute-api"), "the build is left as it was");

        S3Object bundle = get(bucket, "assets/index-4f3a9c1b.js");
        assertEquals("text/javascript; charset=utf-8", bundle.contentType());
        assertEquals(IMMUTABLE, bundle.cacheControl());
        S3Object css = get(bucket, "assets/index-Ab12Cd34.css");
        assertEquals("text/css; charset=utf-8", css.contentType());
        assertEquals(IMMUTABLE, css.cacheControl());
        S3Object icon = get(bucket, "favicon.svg");
        assertEquals("image/svg+xml", icon.contentType());
        assertEquals("no-cache", icon.cacheControl(), "a name without a hash may change under the same name");

        assertEquals(new TreeSet<>(Set.of("index.html", "config.js", "favicon.svg", "assets/index-4f3a9c1b.js",
                "assets/index-Ab12Cd34.css")), keys(bucket), "the earlier build's bundle is gone");
        assertEquals(1, invalidations(distributionId));
        assertEquals(localConfig, Files.readString(dist.resolve("config.js")), "the build output is left as it was");
    }

    @Test
    void aStackWithoutTheDialerOutputsIsRefusedBeforeAnythingIsUploaded(@TempDir Path work) throws Exception {
        Stack stack = stack(work, "");
        Result deploy = run(Fixtures.root(), Fixtures.root().resolve("bin/deploy-dialer").toString(),
                "--stack-name", stack.name(), "--dist", fixtureBuild(work).toString());
        assertNotEquals(0, deploy.exit());
        assertTrue(deploy.output().contains("has no output ApiBaseUrl"), deploy.output());
        assertEquals(Set.of(), keys(stack.bucket()));
    }
}
