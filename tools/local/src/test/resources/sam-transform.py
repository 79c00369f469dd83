"""Translates a SAM template with aws-sam-translator (offline), as CloudFormation's SAM transform does, under the
given parameter values, and prints the CloudFormation template it makes (JSON): what IAM policies, API stages and
routes SAM writes from the functions and their events. Then, as CloudFormation would at deploy, it evaluates the
conditions under those values: resources whose condition is false are left out, each Fn::If is replaced by its
chosen branch (AWS::NoValue drops the entry), and a Ref to a parameter by its value; all else stays as written.

usage: python3 sam-transform.py template.yaml '{"Param": "value", ...}'
"""
import json
import os
import sys

from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    def load(self):
        return {}


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template, _ = decode_str(open(sys.argv[1]).read())
    params = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
    params.update(json.loads(sys.argv[2]))
    for name, spec in template["Parameters"].items():
        if spec.get("Type", "").startswith("List<") and isinstance(params.get(name), str):
            params[name] = params[name].split(",")
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"  # what sam package puts there
    out = transform(template, params, NoManagedPolicies())
    conditions = {}

    def condition(name):
        if name not in conditions:
            conditions[name] = truth(out["Conditions"][name])
        return conditions[name]

    def truth(expr):
        (fn, arg), = expr.items()
        if fn == "Fn::Equals":
            return value(arg[0]) == value(arg[1])
        if fn == "Fn::Not":
            return not truth(arg[0])
        if fn == "Fn::And":
            return all(truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(truth(a) for a in arg)
        if fn == "Condition":
            return condition(arg)
        raise SystemExit(f"condition {fn} not understood")

    def value(v):
        if isinstance(v, dict) and len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref" and arg in params:
                return params[arg]
            if fn == "Fn::If":
                return value(arg[1] if condition(arg[0]) else arg[2])
            if fn == "Condition":
                return condition(arg)
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items() if not is_none(value(x))}
        if isinstance(v, list):
            return [value(x) for x in v if not is_none(value(x))]
        return v

    def is_none(v):
        return isinstance(v, dict) and v == {"Ref": "AWS::NoValue"}

    out["Resources"] = {name: value(resource) for name, resource in out["Resources"].items()
                        if "Condition" not in resource or condition(resource["Condition"])}
    print(json.dumps(out, default=str, sort_keys=True))


main()
