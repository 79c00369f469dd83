package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions of the template, each built once (one warm container) with its environment: the template's
 * variables, then {@code env.json}'s {@code Parameters}, then its per-function section, as SAM CLI layers them
 * (each variable the file names with the shell's value when the shell exports it, and {@code --redis-url} over
 * all: {@link EnvVars}).
 * Unlike SAM CLI, variables the template does not declare are passed too: that is how the secret keys reach a
 * function locally without a Secrets Manager (docs/configuration.md). With {@code likeSam} it passes what SAM CLI passes:
 * only the variables the template declares (so secrets come from a Secrets Manager, as in AWS), SAM's own
 * {@code AWS_*} additions, and {@code host.docker.internal} (the host, seen from SAM's containers) read as
 * {@code 127.0.0.1}, since the runner runs on the host.
 *
 * <p>Events and responses cross the boundary as JSON, as Lambda passes them: a {@code RequestStreamHandler} (every
 * function of this project) gets the event's bytes and writes the response's; a {@code RequestHandler} gets them
 * through {@code aws-lambda-java-serialization}, the library the Lambda Java runtime itself uses for those, so an
 * event that works here works on Lambda.
 */
final class LocalFunctions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Template template;
    private final EnvVars envVars;
    private final Map<String, Object> warm = new ConcurrentHashMap<>();
    private PojoSerializer<APIGatewayV2HTTPEvent> events;
    private PojoSerializer<APIGatewayV2HTTPResponse> responses;
    private String localBase;

    private final Path root;
    private final boolean likeSam;
    private volatile boolean delayedRecordsHere;

    LocalFunctions(Template template, EnvVars envVars, Path root, boolean likeSam) {
        this.template = template;
        this.envVars = envVars;
        this.root = root;
        this.likeSam = likeSam;
    }

    /** Where the runner's own stand-ins answer; {@code /_local/} URLs in the environment are pointed there. */
    void useLocalBase(String base) {
        this.localBase = base;
    }

    /**
     * From now on a function the template gives {@code DELAYED_RECORDS_QUEUE_URL} (a queue only a deployed stack
     * has) gets {@link DelayedRecords#LOCAL} unless the env file or the shell names a queue: the runner's in-process queue
     * ({@link LocalRunner}), so records due soon are delivered when due, as SQS delivers them on AWS.
     */
    void delayRecordsHere() {
        this.delayedRecordsHere = true;
    }

    /** The repository root: the template's folder. */
    Path root() {
        return root;
    }

    Template template() {
        return template;
    }

    /** The environment a function runs with. */
    Map<String, String> environment(String logicalId) {
        Template.Function function = function(logicalId);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_LAMBDA_FUNCTION_NAME", logicalId);
        if (likeSam) {
            // what SAM CLI adds (without credentials in the shell it passes these fake keys; moto takes any)
            env.put("AWS_SAM_LOCAL", "true");
            env.put("AWS_DEFAULT_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "defaultkey");
            env.put("AWS_SECRET_ACCESS_KEY", "defaultsecret");
        }
        env.putAll(function.environment());
        Set<String> declared = template.variables().getOrDefault(logicalId, Set.of());
        for (Map<String, String> layer : List.of(envVars.parameters(), envVars.forFunction(logicalId))) {
            layer.forEach((name, value) -> {
                if (!likeSam || declared.contains(name)) {
                    env.put(name, value);
                }
            });
        }
        if (likeSam) {
            env.replaceAll((name, value) -> value.replace("://host.docker.internal:", "://127.0.0.1:"));
        }
        if (delayedRecordsHere && declared.contains(DelayedRecords.VARIABLE)) {
            env.merge(DelayedRecords.VARIABLE, DelayedRecords.LOCAL, (given, local) -> given.isBlank() ? local : given);
        }
        if (localBase != null) {
            env.replaceAll((name, value) -> value.replaceFirst("^http://(127\\.0\\.0\\.1|localhost):[0-9]+/_local/",
                    localBase + "/_local/"));
        }
        return env;
    }

    /** The env-vars file's variables SAM CLI would drop for this function: the template does not declare them. */
    Set<String> undeclared(String logicalId) {
        Set<String> names = new TreeSet<>(envVars.parameters().keySet());
        names.addAll(envVars.forFunction(logicalId).keySet());
        names.removeAll(template.variables().getOrDefault(logicalId, Set.of()));
        return names;
    }

    /**
     * Where a function's {@code name} came from: {@code --redis-url}, {@code the shell}, the env file,
     * {@code template.yaml}, or {@code the default} (the function's own, when nothing sets it).
     */
    String source(String name, String logicalId) {
        String source = envVars.source(name, logicalId);
        if (source != null) {
            return source;
        }
        return function(logicalId).environment().containsKey(name) ? "template.yaml" : "the default";
    }

    boolean likeSam() {
        return likeSam;
    }

    /** Runs one event (JSON in the shape Lambda delivers) and returns the response JSON. */
    @SuppressWarnings("unchecked")
    byte[] invoke(String logicalId, byte[] eventJson) throws IOException {
        Object handler = warm.computeIfAbsent(logicalId, this::build);
        LocalContext context = new LocalContext(function(logicalId));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (handler instanceof RequestStreamHandler stream) {
            stream.handleRequest(new ByteArrayInputStream(eventJson), out, context);
            return out.toByteArray();
        }
        synchronized (this) {
            if (events == null) {
                ClassLoader loader = getClass().getClassLoader();
                events = LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, loader);
                responses = LambdaEventSerializers.serializerFor(APIGatewayV2HTTPResponse.class, loader);
            }
        }
        APIGatewayV2HTTPEvent event = events.fromJson(new String(eventJson, java.nio.charset.StandardCharsets.UTF_8));
        APIGatewayV2HTTPResponse response = ((RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) handler)
                .handleRequest(event, context);
        responses.toJson(response, out);
        return out.toByteArray();
    }

    byte[] invoke(String logicalId, InputStream eventJson) throws IOException {
        return invoke(logicalId, eventJson.readAllBytes());
    }

    /** Runs a function whose input is plain JSON (the outbox drain's schedule event); returns its answer. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Object invokePlain(String logicalId, Map<String, Object> input) {
        Object handler = warm.computeIfAbsent(logicalId, this::build);
        LocalContext context = new LocalContext(function(logicalId));
        if (handler instanceof RequestStreamHandler stream) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                stream.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(input)), out, context);
                return JSON.readValue(out.toByteArray(), Object.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ((RequestHandler) handler).handleRequest(input, context);
    }

    Template.Function function(String logicalId) {
        Template.Function function = template.functions().get(logicalId);
        if (function == null) {
            throw new LocalRunnerException("No function " + logicalId + " in the template; it has "
                    + String.join(", ", template.functions().keySet()));
        }
        return function;
    }

    /** One warm container: the handler built once with the function's environment. */
    private Object build(String id) {
        Template.Function function = function(id);
        try {
            Class<?> type = Class.forName(function.handlerClass());
            return type.getConstructor(Map.class).newInstance(environment(id));
        } catch (InvocationTargetException e) {
            throw new LocalRunnerException(id + " failed to start: " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new LocalRunnerException(id + ": cannot build handler " + function.handlerClass() + ": " + e);
        }
    }
}
