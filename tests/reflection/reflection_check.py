#!/usr/bin/python3
"""An independent hubsync client that knows the API only through reflection.

It does what a person with grpcurl does, with no .proto files of hubsync:
lists the services, fetches their file descriptors (with dependencies) from
the server, builds message classes from them, and makes the calls README.md
shows, with the same JSON bodies (tests/reflection/readme_calls.json). It
also checks that README.md still shows those bodies.

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-protobuf) and
protoc on PATH:

  /usr/bin/python3 tests/reflection/reflection_check.py --server 127.0.0.1:PORT

Exits 0 when every check passes, 1 with a message naming the first mismatch.
"""
import argparse
import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REFLECTION_PROTO_ROOT = "/usr/share/grpc-proto"
REFLECTION_PROTO = "grpc/reflection/v1alpha/reflection.proto"
REFLECTION_METHOD = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
# grpc.reflection.v1 has the same messages, field for field, as v1alpha.
REFLECTION_V1_METHOD = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
TIMEOUT = 15  # seconds, every call

EXPECTED_SERVICES = {
    "hubsync.v1.SchoolService",
    "hubsync.v1.HubService",
    "hubsync.v1.MisService",
    "hubsync.v1.SyncService",
    "hubsync.v1.AccountService",
    "hubsync.v1.KeyService",
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
}


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def load_reflection_module(tmp):
    """protoc --python_out the reflection proto and import it by path (its
    package path starts with "grpc", which is grpcio's module name)."""
    subprocess.run(
        ["protoc", f"--proto_path={REFLECTION_PROTO_ROOT}", f"--python_out={tmp}", REFLECTION_PROTO],
        check=True)
    path = os.path.join(tmp, REFLECTION_PROTO.replace(".proto", "_pb2.py"))
    spec = importlib.util.spec_from_file_location("hubsync_reflection_pb2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Reflection:
    def __init__(self, channel, pb, method=REFLECTION_METHOD):
        self._pb = pb
        self._call = channel.stream_stream(
            method,
            request_serializer=pb.ServerReflectionRequest.SerializeToString,
            response_deserializer=pb.ServerReflectionResponse.FromString)

    def _ask(self, **request):
        replies = list(self._call(iter([self._pb.ServerReflectionRequest(**request)]),
                                  timeout=TIMEOUT))
        expect(len(replies) == 1, f"reflection: expected one reply to {request}, got {len(replies)}")
        reply = replies[0]
        if reply.HasField("error_response"):
            raise CheckFailed(f"reflection error for {request}: "
                              f"{reply.error_response.error_code} {reply.error_response.error_message}")
        return reply

    def list_services(self):
        reply = self._ask(list_services="")
        return [s.name for s in reply.list_services_response.service]

    def _files(self, reply):
        files = []
        for raw in reply.file_descriptor_response.file_descriptor_proto:
            f = descriptor_pb2.FileDescriptorProto()
            f.ParseFromString(raw)
            files.append(f)
        return files

    def files_containing_symbol(self, symbol):
        return self._files(self._ask(file_containing_symbol=symbol))

    def files_by_filename(self, name):
        return self._files(self._ask(file_by_filename=name))


def build_pool(reflection, symbols):
    """Fetches the files defining `symbols` and every file they import, and
    adds them to a fresh pool, dependencies first."""
    protos = {}
    pending = []
    for symbol in symbols:
        for f in reflection.files_containing_symbol(symbol):
            protos.setdefault(f.name, f)
    pending = [d for f in list(protos.values()) for d in f.dependency]
    while pending:
        name = pending.pop()
        if name in protos:
            continue
        for f in reflection.files_by_filename(name):
            if f.name not in protos:
                protos[f.name] = f
                pending.extend(f.dependency)
        expect(name in protos, f"reflection: the server did not send {name}")
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in protos[name].dependency:
            add(dep)
        pool.Add(protos[name])
        added.add(name)

    for name in sorted(protos):
        add(name)
    print(f"reflection: {len(protos)} files: {', '.join(sorted(protos))}")
    check_descriptors(protos)
    return pool


def check_descriptors(protos):
    """What grpcurl needs from the descriptors beyond names and types: each
    field's json_name (grpcurl 1.8.5 prints proto names without it) and the
    .proto files' comments (`grpcurl describe` shows them)."""
    for name, f in sorted(protos.items()):
        if not name.startswith("hubsync/"):
            continue
        for m in f.message_type:
            for field in m.field:
                expect(field.json_name,
                       f"reflection: {name}: {m.name}.{field.name} has no json_name")
        expect(any(loc.leading_comments or loc.trailing_comments
                   for loc in f.source_code_info.location),
               f"reflection: {name} carries no comments (source_code_info)")
    sync = protos.get("hubsync/v1/sync.proto")
    expect(sync is not None, "reflection: hubsync/v1/sync.proto was not sent")
    comments = "".join(loc.leading_comments for loc in sync.source_code_info.location)
    expect("The pupil sync session" in comments,
           "reflection: sync.proto's service comment is missing")
    print("reflection: every hubsync field has its json_name; the files carry their comments")


def message_class(descriptor):
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def describe(pool, service_name):
    service = pool.FindServiceByName(service_name)
    lines = [f"service {service.full_name} {{"]
    for m in service.methods:
        client = "stream " if getattr(m, "client_streaming", False) else ""
        server = "stream " if getattr(m, "server_streaming", False) else ""
        lines.append(f"  rpc {m.name}({client}{m.input_type.full_name}) "
                     f"returns ({server}{m.output_type.full_name});")
    lines.append("}")
    return "\n".join(lines)


class Caller:
    def __init__(self, channel, pool):
        self._channel = channel
        self._pool = pool

    def _method(self, method):
        service_name, method_name = method.split("/")
        return self._pool.FindServiceByName(service_name).methods_by_name[method_name]

    def call(self, method, body, key=None):
        """Parses `body` (a JSON object) into the request type, calls
        `method` (with `authorization: Bearer key` when a key is given), and
        returns the reply as a dict (lowerCamel names), or for a
        server-streaming method the list of replies."""
        metadata = [("authorization", f"Bearer {key}")] if key else None
        m = self._method(method)
        request_class = message_class(m.input_type)
        reply_class = message_class(m.output_type)
        request = json_format.Parse(json.dumps(body), request_class())
        path = "/" + method
        print(f"\n> {method} {json.dumps(body, separators=(',', ':'))}")
        try:
            if getattr(m, "server_streaming", False):
                stub = self._channel.unary_stream(
                    path, request_serializer=request_class.SerializeToString,
                    response_deserializer=reply_class.FromString)
                replies = []
                for reply in stub(request, timeout=TIMEOUT, metadata=metadata):
                    print(json_format.MessageToJson(reply, indent=None))
                    replies.append(json_format.MessageToDict(reply))
                return replies
            stub = self._channel.unary_unary(
                path, request_serializer=request_class.SerializeToString,
                response_deserializer=reply_class.FromString)
            reply = stub(request, timeout=TIMEOUT, metadata=metadata)
        except grpc.RpcError as e:
            raise CheckFailed(f"{method} failed: {e.code().name}: {e.details()}") from None
        print(json_format.MessageToJson(reply, indent=None))
        return json_format.MessageToDict(reply)


def substitute(value, ids):
    if isinstance(value, str):
        for key, id_ in ids.items():
            value = value.replace(key, id_)
        return value
    if isinstance(value, list):
        return [substitute(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, ids) for k, v in value.items()}
    return value


def readme_grpcurl_calls(readme_text):
    """(method, body) for every grpcurl call in README.md: the body of
    -d '...' on the line, or of -d @ followed by a heredoc ending in EOF."""
    calls = []
    lines = readme_text.splitlines()
    method_re = re.compile(r"\b((?:[a-z0-9_]+\.)+[A-Za-z0-9_]+/[A-Za-z0-9_]+)\b")
    for i, line in enumerate(lines):
        if "grpcurl" not in line:
            continue
        method = method_re.search(line)
        if not method:
            continue
        body_text = None
        inline = re.search(r"-d '([^']*)'", line)
        if inline:
            body_text = inline.group(1)
        elif re.search(r"-d @", line):
            body_lines = []
            for following in lines[i + 1:]:
                if following.strip() == "EOF":
                    break
                body_lines.append(following)
            body_text = "\n".join(body_lines)
        if body_text is None:
            body = {}
        else:
            try:
                body = json.loads(body_text)
            except ValueError as e:
                raise CheckFailed(f"README.md line {i + 1}: the body for {method.group(1)} "
                                  f"is not JSON ({e})") from None
        if method.group(1).startswith("hubsync.") and "-H " not in line:
            raise CheckFailed(f"README.md line {i + 1}: grpcurl {method.group(1)} sends no API key "
                              f"(-H \"authorization: Bearer ...\")")
        calls.append((method.group(1), body, i + 1))
    return calls


def check_readme(readme_path, calls):
    with open(readme_path, encoding="utf-8") as f:
        shown = readme_grpcurl_calls(f.read())
    wanted = [(c["method"], c["body"]) for c in calls]
    for method, body in wanted:
        expect(any(m == method and b == body for m, b, _ in shown),
               f"README.md does not show grpcurl {method} with the body "
               f"{json.dumps(body)} (tests/reflection/readme_calls.json)")
    methods = {m for m, _ in wanted}
    for method, body, line in shown:
        if method in methods:
            expect((method, body) in wanted,
                   f"README.md line {line}: grpcurl {method} body {json.dumps(body)} is not in "
                   f"tests/reflection/readme_calls.json; keep the two the same")
    print(f"README.md: {len(wanted)} grpcurl calls match readme_calls.json")


def run(args):
    with open(args.calls, encoding="utf-8") as f:
        calls = json.load(f)["calls"]
    if args.readme:
        check_readme(args.readme, calls)

    with tempfile.TemporaryDirectory() as tmp:
        pb = load_reflection_module(tmp)
    channel = grpc.insecure_channel(args.server)
    try:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
    except grpc.FutureTimeoutError:
        raise CheckFailed(f"cannot connect to {args.server}") from None
    reflection = Reflection(channel, pb)

    services = reflection.list_services()
    print("services:\n  " + "\n  ".join(sorted(services)))
    missing = EXPECTED_SERVICES - set(services)
    expect(not missing, f"reflection does not list {sorted(missing)}")
    v1_services = Reflection(channel, pb, REFLECTION_V1_METHOD).list_services()
    expect(sorted(v1_services) == sorted(services),
           f"grpc.reflection.v1 lists {sorted(v1_services)}, v1alpha {sorted(services)}")
    print("grpc.reflection.v1 lists the same services")

    wanted = sorted(s for s in services if s.startswith("hubsync.") or s == "grpc.health.v1.Health")
    pool = build_pool(reflection, wanted)
    for s in wanted:
        print(describe(pool, s))

    caller = Caller(channel, pool)
    # Without a key, every hubsync call is refused.
    try:
        caller.call("hubsync.v1.SchoolService/ListSchools", {})
        raise CheckFailed("ListSchools without an API key was answered")
    except CheckFailed as e:
        expect("UNAUTHENTICATED" in str(e), f"ListSchools without an API key: {e}")
        print("  (refused, as it should be)")
    ids = {}
    replies = {}
    keys = {"operator": args.operator_key, "none": None}
    for c in calls:
        body = substitute(copy.deepcopy(c["body"]), ids)
        reply = caller.call(c["method"], body, keys[c.get("key", "none")])
        replies[c["name"]] = reply
        check_reply(c["name"], c["body"], reply, ids, replies)
        if c["name"] == "create_key":
            keys["admin"] = reply["secret"]
    print("\nreflection_check: every call answered as expected")


def check_reply(name, body, reply, ids, replies):
    if name == "health":
        expect(reply.get("status") == "SERVING", f"health: expected SERVING, got {reply}")
    elif name == "create_school":
        expect(reply.get("name") == body["name"], f"CreateSchool: name {reply.get('name')!r}")
        expect(reply.get("schoolId", "").startswith("sch_"),
               f"CreateSchool: schoolId {reply.get('schoolId')!r} does not start with sch_")
        ids["$SCHOOL"] = reply["schoolId"]
    elif name == "create_key":
        expect(reply.get("secret", "").startswith("hsk_"), "CreateApiKey: no hsk_ secret in the reply")
        expect(reply.get("key", {}).get("schoolId") == ids["$SCHOOL"], f"CreateApiKey: {reply.get('key')}")
        expect(reply.get("key", {}).get("role") == "ROLE_ADMIN", f"CreateApiKey: {reply.get('key')}")
    elif name == "list_schools":
        listed = {s.get("schoolId") for s in reply.get("schools", [])}
        expect(ids["$SCHOOL"] in listed, f"ListSchools does not list {ids['$SCHOOL']}")
    elif name == "push_records":
        expect(int(reply.get("learnerCount", 0)) == len(body["learners"]),
               f"PushMisRecords: learnerCount {reply.get('learnerCount')}, "
               f"pushed {len(body['learners'])}")
        expect(int(reply.get("classCount", 0)) == len(body["classes"]),
               f"PushMisRecords: classCount {reply.get('classCount')}, pushed {len(body['classes'])}")
        expect(reply.get("format") == "MIS_FORMAT_PUSHED", f"PushMisRecords: format {reply.get('format')}")
        ids["$SNAPSHOT"] = reply["snapshotId"]
    elif name == "start_session":
        expect(reply.get("sessionId", "").startswith("ses_"), f"StartSession: {reply}")
        expect(reply.get("step") == "SESSION_STEP_CLASS_SYNC", f"StartSession: step {reply.get('step')}")
        expect(reply.get("snapshotId") == ids["$SNAPSHOT"],
               f"StartSession: snapshot {reply.get('snapshotId')}, expected the pushed {ids['$SNAPSHOT']}")
        ids["$SESSION"] = reply["sessionId"]
    elif name == "proceed_classes":
        expect(reply.get("step") == "SESSION_STEP_PUPILS_PANEL", f"Proceed: step {reply.get('step')}")
        created = int(reply.get("classSync", {}).get("created", 0))
        expect(created == 1, f"Proceed: class sync created {created} classes, expected 1")
    elif name == "set_scope":
        expect(reply.get("scope", {}).get("kind") == "SCOPE_KIND_ALL", f"SetScope: {reply.get('scope')}")
    elif name == "proceed_classify":
        expect(reply.get("step") in ("SESSION_STEP_CLASSIFYING", "SESSION_STEP_SYNC_SCREEN"),
               f"Proceed: step {reply.get('step')}")
    elif name == "stream_rows":
        check_rows(reply, int(replies["push_records"]["learnerCount"]))


def check_rows(batches, pushed):
    expect(batches, "StreamRows: no batches")
    for i, b in enumerate(batches[:-1]):
        expect(not b.get("done"), f"StreamRows: batch {i + 1} of {len(batches)} has done=true")
    last = batches[-1]
    expect(last.get("done") is True, f"StreamRows: the last batch has no done=true: {last}")
    summary = last.get("summary")
    expect(summary, "StreamRows: the last batch has no summary")
    rows = [r for b in batches for r in b.get("rows", [])]
    total = int(summary.get("total", 0))
    expect(total == len(rows), f"StreamRows: summary total {total}, rows streamed {len(rows)}")
    expect(total == pushed, f"StreamRows: summary total {total}, learners pushed {pushed}")
    counted = sum(int(summary.get(k, 0))
                  for k in ("notMatched", "new", "matched", "mayMatch", "synced", "desynced"))
    expect(counted == total, f"StreamRows: the status counts add up to {counted}, total {total}")
    statuses = {r.get("status") for r in rows}
    expect(statuses == {"ROW_STATUS_NEW"},
           f"StreamRows: a fresh school's rows should all be New, got {sorted(statuses)}")
    expect(int(summary.get("new", 0)) == total, f"StreamRows: summary {summary}")
    print(f"StreamRows: {len(batches)} batches, {len(rows)} rows, summary total {total}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of a running hubsyncd")
    parser.add_argument("--operator-key", default=os.environ.get("HUBSYNC_OPERATOR_KEY", ""),
                        help="an operator key of the server (hubsyncd --init-operator-key); "
                             "default $HUBSYNC_OPERATOR_KEY")
    parser.add_argument("--calls", default=os.path.join(HERE, "readme_calls.json"))
    parser.add_argument("--readme", default=os.path.join(REPO, "README.md"),
                        help="README to check against the calls ('' to skip)")
    args = parser.parse_args()
    if not args.operator_key:
        parser.error("--operator-key (or $HUBSYNC_OPERATOR_KEY) is required")
    try:
        run(args)
    except CheckFailed as e:
        print(f"\nreflection_check: FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
