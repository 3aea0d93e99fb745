"""The AWS Lambda pack's corrected facts (issue 17), read from the BUILT guide and answer key.

Each test asserts that the right statement is printed and that the old, wrong or dated one is
gone. The PDFs are the session's seed build (conftest.seed_build): built once, read here once.
"""

from __future__ import annotations

import re

import pytest
from conftest import normalize
from pypdf import PdfReader

TITLE = "AWS Lambda Interview Questions"


def _reader_text(path) -> str:
    """Text as a reader follows it: running header, footer and bullet glyphs taken out, so a
    sentence broken over two pages reads as one."""
    text = normalize(" ".join(page.extract_text() or "" for page in PdfReader(path).pages))
    text = re.sub(rf"{TITLE} (Study guide|Answer key|Worksheet)", " ", text)
    text = re.sub(r"Page \d+ of \d+", " ", text)
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)  # a compound broken at its hyphen
    return normalize(text.replace("•", " "))


@pytest.fixture(scope="module")
def texts(seed_build) -> dict[str, str]:
    return {edition: _reader_text(seed_build / f"aws-lambda-{edition}.pdf")
            for edition in ("guide", "answer-key", "worksheet")}


def _printed(texts, answer: list[str], wrong: list[str], key: tuple[str, ...] = ()):
    """The answer's statements in the guide and the key, the key points in the key, the old
    statements in neither."""
    for edition in ("guide", "answer-key"):
        text = texts[edition]
        right = answer + list(key if edition == "answer-key" else ())
        missing = [r for r in right if normalize(r) not in text]
        assert not missing, (edition, missing)
        kept = [w for w in wrong if normalize(w) in text]
        assert not kept, (edition, kept)


def test_q15_same_account_needs_the_callers_execution_role_not_a_resource_policy(texts):
    _printed(texts,
             ["In the same account, the calling function's execution role needs "
              "lambda:InvokeFunction on the target",
              "A resource-based policy on the invoked function is for cross-account calls"],
             ["The invoked function's resource-based policy has to explicitly allow the calling "
              "function to invoke it",
              "Target's resource-based policy must grant the caller permission"],
             key=("Same account: the caller's execution role needs lambda:InvokeFunction",
                  "Cross-account: the target's resource-based policy must also allow the caller"))


def test_q3_managed_runtimes_go_rust_powershell_and_custom_runtimes(texts):
    _printed(texts,
             ["AWS's documentation names five managed runtimes:", ".NET (C#)",
              "Go and Rust compile to a binary for the OS-only runtime (provided.al2023)",
              "PowerShell runs via .NET tooling or a custom runtime",
              "shipped as a .zip, a layer or a container image"],
             ["Native runtimes: Node.js, Python, Ruby, Java, Go, C#, PowerShell",
              "Custom runtimes packaged as container images cover virtually any language",
              "Lambda offers native support for the following languages"],
             key=("Managed runtimes: Node.js, Python, Java, .NET (C#), Ruby",
                  "Go and Rust on the OS-only runtime; PowerShell via .NET tooling or a custom runtime",
                  "Custom runtimes (.zip, layer or container image) cover virtually any language"))


def test_q3_keeps_the_articles_own_list_presented_as_the_articles(texts):
    _printed(texts, ["The article lists Node.js, Python, Ruby, Java, Go, C# and PowerShell as "
                     "supported natively, with no extra setup"], [])


def test_q3_points_match_its_writing_space(texts):
    sheet = texts["worksheet"]
    # five slots for the five managed runtimes, worth 2 points (was 7 slots for 1 point)
    assert "3. What languages does Lambda support? (2 points)" in sheet, sheet[:2000]
    assert "Name 5 managed runtimes:" in sheet
    assert "Name 7:" not in sheet


def test_prompts_say_what_to_name(texts):
    sheet = texts["worksheet"]
    for prompt in ["Name 4 components:", "Name 5 event sources:", "Name 3 packaging approaches:",
                   "Name 3 tools:", "Name 6 steps:"]:
        assert prompt in sheet, prompt
    assert not re.search(r"Name \d+:", sheet), re.findall(r"Name \d+:", sheet)


def test_q2_secrets_belong_in_secrets_manager_or_parameter_store(texts):
    _printed(texts,
             ["The article also puts API keys and database credentials there, but secrets belong "
              "in AWS Secrets Manager or Parameter Store, fetched at run time, not in plain "
              "environment variables"],
             ["Typical uses are API keys, database credentials and other settings"],
             key=("secrets go in Secrets Manager or Parameter Store",))


def test_q6_layers_limit_container_images_go_and_rust(texts):
    _printed(texts,
             ["A layer's unzipped size counts toward the same 250 MB limit as the function's own code",
              "layers work with .zip functions only (not with container images)",
              "AWS advises against them for Go and Rust"],
             ["package shared libraries separately as layers and reuse them across many functions"],
             key=("Layers count toward the 250 MB unzipped limit, not for container images, "
                  "not advised for Go and Rust",))


def test_q17_s3_needs_permission_invokes_asynchronously_and_can_loop(texts):
    _printed(texts,
             ["S3 itself needs permission to invoke the function",
              "S3 invokes it asynchronously",
              "a function that writes into the bucket that triggers it can set itself off again"],
             ["Create a Lambda function with permissions that allow it to access the S3 bucket",
              "Function needs permissions for the bucket"],
             key=("Execution role may access the bucket; S3 needs permission to invoke the function",
                  "Lambda as destination, invoked asynchronously",
                  "Writing back to the triggering bucket can loop"))


def test_q19_eventbridge_scheduler_is_recommended_scheduled_rules_legacy(texts):
    _printed(texts,
             ["open Scheduler and create a schedule",
              "EventBridge Scheduler is AWS's recommended way now",
              "a scheduled EventBridge rule still works but is the legacy option"],
             ["In the Amazon EventBridge console, create a new rule",
              "Amazon EventBridge rule with a rate or cron schedule expression",
              "Choose the Lambda function as the rule's target"],
             key=("EventBridge Scheduler (recommended; scheduled rules are legacy)",
                  "Lambda function as the schedule's target"))


def test_q18_boto3_and_which_api_the_code_uses(texts):
    _printed(texts,
             ["connect to the table with boto3, the AWS SDK for Python",
              "The example below uses boto3's resource API",
              "the lower-level client API is boto3.client(\"dynamodb\")"],
             ["DynamoDB SDK", "SDK client + put_item"],
             key=("boto3 (resource API here, or the client API) + put_item",))


def test_q12_snapstart_runtimes_and_no_provisioned_concurrency(texts):
    _printed(texts,
             ["Lambda snapshots a published version's initialized environment",
              "For Java 11+, Python 3.12+ and .NET 8+; it cannot be combined with provisioned "
              "concurrency"],
             ["on the runtimes that support it, initialized environments are saved"],
             key=("SnapStart (Java 11+, Python 3.12+, .NET 8+), which cannot be combined with "
                  "provisioned concurrency",))


def test_q13_waf_and_resource_policies_apply_to_rest_apis(texts):
    _printed(texts,
             ["for instance the source IP. REST APIs only, not HTTP APIs",
              "defend APIs against common web exploits (REST APIs only)"], [],
             key=("Resource policies and WAF apply to REST APIs (not HTTP APIs)",))


def test_practical_steps_are_in_our_own_words(texts):
    """Q16 to Q20: the article's step sentences are gone, the steps are still all there."""
    _printed(texts,
             ["API Gateway hands it the HTTP request as the event",
              "Make the function the notification's destination",
              "Write each item with put_item, giving the key attributes and any other fields",
              "Give the alias weighted routing, for example 90% of requests to the old version",
              "point the alias at the new version alone: 100% of the traffic"],
             ["write a function that receives the request from API Gateway as its event",
              "Test by doing things to the bucket that match the chosen event types",
              "Call put_item to write items, passing the key attributes and any other fields",
              "Update the alias so traffic is split between the old and new versions by weight",
              "When you are satisfied, point the alias at the new version for 100% of traffic"])
