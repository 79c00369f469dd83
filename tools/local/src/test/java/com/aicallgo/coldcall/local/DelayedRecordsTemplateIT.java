package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The outbox's precise trigger as CloudFormation deploys it (aws-sam-translator, {@code sam-transform.py}): an
 * encrypted queue with a dead-letter queue, polled for the drain's {@code live} alias with partial batch failures,
 * the queue named to the functions that queue records, and every SQS grant scoped to that one queue.
 */
class DelayedRecordsTemplateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode QUEUE_ARN = JSON.createObjectNode()
            .set("Fn::GetAtt", JSON.createArrayNode().add("DelayedRecordsQueue").add("Arn"));
    private static final List<String> SENDERS = List.of("StartRecordingFunction", "CallStatusWebhookFunction",
            "RecordingWebhookFunction", "OutboxDrainFunction");

    /** Every statement of a function's role that names an SQS action, with its actions as a sorted list. */
    private static List<JsonNode> sqsStatements(JsonNode resources, String function) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode policy : resources.path(function + "Role").path("Properties").path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                if (statement.path("Action").toString().contains("sqs:")) {
                    found.add(statement);
                }
            }
        }
        return found;
    }

    private static TreeSet<String> actions(JsonNode statement) {
        TreeSet<String> actions = new TreeSet<>();
        JsonNode action = statement.path("Action");
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else {
            actions.add(action.asText());
        }
        return actions;
    }

    @Test
    void theQueueIsEncryptedRedrivenPolledForTheDrainAndEveryGrantIsScopedToIt() throws Exception {
        JsonNode resources = EdgeTemplateIT.deployed(Map.of());

        JsonNode queue = resources.path("DelayedRecordsQueue");
        assertEquals("AWS::SQS::Queue", queue.path("Type").asText());
        assertTrue(queue.path("Properties").path("SqsManagedSseEnabled").asBoolean(), "SSE");
        assertEquals("{\"Fn::GetAtt\":[\"DelayedRecordsDeadLetterQueue\",\"Arn\"]}",
                queue.path("Properties").path("RedrivePolicy").path("deadLetterTargetArn").toString());
        assertTrue(resources.path("DelayedRecordsDeadLetterQueue").path("Properties").path("SqsManagedSseEnabled")
                .asBoolean(), "the DLQ is encrypted too");
        int timeout = resources.path("OutboxDrainFunction").path("Properties").path("Timeout").asInt();
        assertTrue(queue.path("Properties").path("VisibilityTimeout").asInt() >= timeout,
                "a message stays hidden while the drain it invoked may run");
        assertTrue(queue.path("Properties").path("MessageRetentionPeriod").asInt() > 900, "longer than any delay");

        JsonNode alarm = resources.path("DelayedRecordsDeadLetterAlarm").path("Properties");
        assertEquals("AWS/SQS", alarm.path("Namespace").asText());
        assertEquals("{\"Fn::GetAtt\":[\"DelayedRecordsDeadLetterQueue\",\"QueueName\"]}",
                alarm.path("Dimensions").get(0).path("Value").toString(), "the alarm watches the DLQ");
        assertEquals(1, alarm.path("AlarmActions").size());

        JsonNode mapping = resources.path("DelayedRecordsEventSource").path("Properties");
        assertEquals(QUEUE_ARN, mapping.path("EventSourceArn"));
        assertEquals("{\"Ref\":\"OutboxDrainFunctionAliaslive\"}", mapping.path("FunctionName").toString(),
                "the published alias, as the schedule invokes");
        assertEquals("[\"ReportBatchItemFailures\"]", mapping.path("FunctionResponseTypes").toString());
        assertTrue(mapping.path("BatchSize").asInt() <= 10);

        for (String function : SENDERS) {
            assertEquals("{\"Ref\":\"DelayedRecordsQueue\"}", resources.path(function).path("Properties")
                    .path("Environment").path("Variables").path(DelayedRecords.VARIABLE).toString(), function);
        }
        for (String function : List.of("CredentialsFunction", "StartRecordingFunction", "CallStatusWebhookFunction",
                "RecordingWebhookFunction", "OutboxDrainFunction")) {
            TreeSet<String> granted = new TreeSet<>();
            for (JsonNode statement : sqsStatements(resources, function)) {
                assertEquals(QUEUE_ARN, statement.path("Resource"), function + ": that queue only, never *");
                assertEquals("Allow", statement.path("Effect").asText());
                granted.addAll(actions(statement));
            }
            TreeSet<String> expected = new TreeSet<>();
            if (SENDERS.contains(function)) {
                expected.add("sqs:SendMessage");
            }
            if (function.equals("OutboxDrainFunction")) {
                expected.addAll(List.of("sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"));
            }
            assertEquals(expected, granted, function);
            JsonNode managed = resources.path(function + "Role").path("Properties").path("ManagedPolicyArns");
            assertFalse(managed.toString().contains("SQS"), function + ": no managed SQS policy (every queue)");
        }
    }
}
