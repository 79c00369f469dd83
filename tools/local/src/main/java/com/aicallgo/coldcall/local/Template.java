package com.aicallgo.coldcall.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What the runner needs from {@code template.yaml}: each function's handler, environment and HttpApi routes, so
 * routes and variables live in one place. CloudFormation's short tags ({@code !Ref}, {@code !Sub}, ...) are read as
 * {@code {"Ref": x}}-style maps; {@code !Ref} to a parameter resolves to its default. A value that needs a deployed
 * stack ({@code !If}, {@code !GetAtt}, {@code !Sub}, a {@code !Ref} to a resource or to a parameter without a
 * default) leaves the variable unset, so the function's own default or {@code env.json} applies.
 *
 * @param variables per function, the name of every variable the template sets, whatever its value
 * @param parameters the template's parameter names
 */
public record Template(Map<String, Function> functions, List<Route> routes, Map<String, Set<String>> variables,
        Set<String> parameters) {
    /** One {@code AWS::Serverless::Function}. */
    /** One {@code AWS::Serverless::Function}; {@code timeoutSeconds} is its own or the Globals' (SAM's default 3). */
    public record Function(String logicalId, String handler, Map<String, String> environment, int timeoutSeconds) {
        public String handlerClass() {
            int colons = handler.indexOf("::");
            return colons < 0 ? handler : handler.substring(0, colons);
        }
    }

    /** One {@code HttpApi} event. */
    public record Route(String method, String path, String functionId) {
        /** API Gateway's route key, as an event's {@code routeKey} carries it: {@code POST /a/b}. */
        public String key() {
            return method + " " + path;
        }

        /**
         * The path parameters of a request this route takes, as API Gateway's HTTP API gives them
         * ({@code pathParameters}: each {@code {name}} segment's value, percent-decoded), or {@code null} when the
         * request is not this route's. A {@code {name}} segment takes one non-empty segment.
         */
        public Map<String, String> match(String requestMethod, String rawPath) {
            if (!method.equals(requestMethod) || rawPath == null) {
                return null;
            }
            String[] want = path.split("/", -1);
            String[] have = rawPath.split("/", -1);
            if (want.length != have.length) {
                return null;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i < want.length; i++) {
                if (want[i].startsWith("{") && want[i].endsWith("}")) {
                    if (have[i].isEmpty()) {
                        return null;
                    }
                    parameters.put(want[i].substring(1, want[i].length() - 1),
                            java.net.URLDecoder.decode(have[i].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
                } else if (!want[i].equals(have[i])) {
                    return null;
                }
            }
            return parameters;
        }
    }

    /** The route an event's {@code routeKey} names: that is how a file in {@code events/} names its function. */
    public Optional<Route> route(String routeKey) {
        return routes.stream().filter(route -> route.key().equals(routeKey)).findFirst();
    }

    public static Template load(Path file) throws IOException {
        Map<String, Object> root = document(file);
        Map<String, Object> parameters = map(root.get("Parameters"));
        Map<String, Object> globalFunction = map(map(root.get("Globals")).get("Function"));
        Map<String, Object> globals = map(globalFunction.get("Environment"));
        Map<String, Object> globalVars = map(globals.get("Variables"));
        Map<String, Function> functions = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>();
        Map<String, Set<String>> variables = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, value) -> {
            Map<String, Object> resource = map(value);
            if (!"AWS::Serverless::Function".equals(resource.get("Type"))) {
                return;
            }
            Map<String, Object> properties = map(resource.get("Properties"));
            Set<String> declared = new TreeSet<>(globalVars.keySet());
            declared.addAll(map(map(properties.get("Environment")).get("Variables")).keySet());
            variables.put(id, Set.copyOf(declared));
            Map<String, String> environment = new LinkedHashMap<>();
            resolveInto(globalVars, parameters, environment);
            resolveInto(map(map(properties.get("Environment")).get("Variables")), parameters, environment);
            Object timeout = properties.getOrDefault("Timeout", globalFunction.getOrDefault("Timeout", 3));
            functions.put(id, new Function(id, String.valueOf(properties.get("Handler")), environment,
                    timeout instanceof Number n ? n.intValue() : 3));
            map(properties.get("Events")).forEach((name, event) -> {
                Map<String, Object> spec = map(event);
                if ("HttpApi".equals(spec.get("Type"))) {
                    Map<String, Object> props = map(spec.get("Properties"));
                    routes.add(new Route(String.valueOf(props.get("Method")).toUpperCase(java.util.Locale.ROOT),
                            String.valueOf(props.get("Path")), id));
                }
            });
        });
        return new Template(functions, routes, variables, Set.copyOf(parameters.keySet()));
    }

    /** The whole template as YAML maps and lists, each {@code !Tag} a one-entry map (for checks of any resource). */
    static Map<String, Object> document(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml(new CloudFormationConstructor()).load(reader);
        }
    }

    private static void resolveInto(Map<String, Object> variables, Map<String, Object> parameters,
            Map<String, String> out) {
        variables.forEach((name, value) -> {
            String resolved = resolve(value, parameters);
            if (resolved != null) {
                out.put(name, resolved);
            } else {
                out.remove(name);
            }
        });
    }

    private static String resolve(Object value, Map<String, Object> parameters) {
        if (value instanceof Map<?, ?> function && function.containsKey("Ref")) {
            Object parameter = parameters.get(String.valueOf(function.get("Ref")));
            Object fallback = parameter == null ? null : map(parameter).get("Default");
            return fallback == null ? null : fallback.toString();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return null; // intrinsic functions that need a deployed stack
        }
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Reads every {@code !Tag} as a one-entry map {@code {"Fn::Tag" or "Ref": value}}. */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            for (String name : List.of("Ref", "Sub", "GetAtt", "Join", "If", "Equals", "Not", "And", "Or",
                    "Select", "Split", "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs", "Condition",
                    "Transform")) {
                String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                yamlConstructors.put(new Tag("!" + name), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object value;
                        if (node instanceof ScalarNode scalar) {
                            value = constructScalar(scalar);
                        } else if (node instanceof SequenceNode sequence) {
                            value = constructSequence(sequence);
                        } else {
                            value = constructMapping((MappingNode) node);
                        }
                        return Map.of(key, value);
                    }
                });
            }
        }
    }
}
