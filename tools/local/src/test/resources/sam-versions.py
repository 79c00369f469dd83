"""Translates a SAM template with aws-sam-translator (offline) under the given parameter values and prints, per
function, the logical id of the version SAM generates and that version's Description as CloudFormation would
resolve it from the parameters: together they say whether a deploy publishes a new version.

usage: python3 sam-versions.py template.yaml '{"Param": "value", ...}'
"""
import json
import os
import sys

from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    def load(self):
        return {}


# the template's conditions a VersionDescription may use, as CloudFormation evaluates them
CONDITIONS = {"CreateSecret": lambda params: params["ExistingSecretArn"] == "",
              "GivenWebhookSecret": lambda params: params["ExistingWebhookSecretArn"] != ""}


def resolve(value, params):
    """Ref, Sub, Join, Select, Split and If of parameters, the intrinsics a VersionDescription of ours may use."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref":
            if arg not in params:
                raise SystemExit(f"Ref to {arg}, which is no parameter")
            return params[arg]
        if name == "Fn::Join":
            return arg[0].join(str(resolve(v, params)) for v in resolve(arg[1], params))
        if name == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else arg
            scope = dict(params)
            scope.update({k: resolve(v, params) for k, v in local.items()})
            out = text
            for key, val in scope.items():
                out = out.replace("${" + key + "}", val if isinstance(val, str) else ",".join(val))
            if "${" in out:
                raise SystemExit(f"unresolved reference in {text}")
            return out
        if name == "Fn::Select":
            return resolve(arg[1], params)[int(arg[0])]
        if name == "Fn::Split":
            return str(resolve(arg[1], params)).split(arg[0])
        if name == "Fn::If":
            condition = CONDITIONS[arg[0]]
            return resolve(arg[1] if condition(params) else arg[2], params)
        raise SystemExit(f"{name} is not resolvable before deploy")
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    return value


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template, _ = decode_str(open(sys.argv[1]).read())
    given = json.loads(sys.argv[2])
    params = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
    params.update(given)
    for name, spec in template["Parameters"].items():
        if params.get(name) is None:
            raise SystemExit(f"parameter {name} needs a value")
        if spec.get("Type", "").startswith("List<") and isinstance(params[name], str):
            params[name] = params[name].split(",")
        elif isinstance(params[name], (int, float)):
            params[name] = str(params[name])
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"  # what sam package puts there
    out = transform(template, params, NoManagedPolicies())
    versions = {}
    for logical_id, resource in out["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Version":
            function = resource["Properties"]["FunctionName"]["Ref"]
            description = resource["Properties"].get("Description", "")
            versions[function] = {"logical_id": logical_id, "description": resolve(description, params)}
    print(json.dumps(versions, sort_keys=True))


main()
