"""YAML pipelines: main.yml with container tasks, imported, validated and exported again."""

import base64
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editor.containers import expand_variables, variable_problems
from editor.hashing import content_hash
from editor.library.loader import LoadReport, load_builtin_operations
from editor.models import Operation, OperationVersion, Pipeline
from editor.yaml_pipelines import (
    MAIN_FILE,
    ORDER_OUTPUT,
    ImportInvalid,
    export_yaml,
    export_zip,
    import_directory,
    import_files,
    normalize,
    parse,
    pod_name,
    read_directory,
    validate,
)

FIXTURES = Path(__file__).parent / "fixtures" / "yaml"
EXAMPLES = ["training", "pytorch", "dataprep"]


def problems_of(text: str) -> list[tuple[int | None, str]]:
    doc, problems = parse(text)
    if doc is not None and not problems:
        problems = validate(doc)
    return [(problem["line"], problem["message"]) for problem in problems]


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("example", EXAMPLES)
def test_import_then_export_keeps_the_meaning_and_the_files(example, project, owner):
    source = FIXTURES / example
    pipeline = import_directory(project, source, owner)

    exported = export_yaml(pipeline)

    assert normalize(exported[MAIN_FILE]) == normalize((source / MAIN_FILE).read_bytes())
    given = read_directory(source)
    assert {path: data for path, data in exported.items() if path != MAIN_FILE} == {
        path: data for path, data in given.items() if path != MAIN_FILE
    }


@pytest.mark.django_db
@pytest.mark.parametrize("example", EXAMPLES)
def test_importing_the_export_again_is_the_same_version(example, project, owner, tmp_path):
    first = import_directory(project, FIXTURES / example, owner)
    for path, data in export_yaml(first).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)

    again = import_directory(project, tmp_path, owner)

    assert again.pk == first.pk
    assert again.versions.count() == 1
    assert export_yaml(again) == export_yaml(first)


@pytest.mark.django_db
def test_training_tasks_become_container_operations_wired_by_depends(project, owner):
    pipeline = import_directory(project, FIXTURES / "training", owner)

    assert pipeline.name == "image-classifier"
    assert pipeline.description.startswith("Fine-tune a ResNet")
    graph = pipeline.versions.get().graph
    assert [node["id"] for node in graph["nodes"]] == ["fetch", "train", "evaluate", "notify"]
    assert [(e["source"], e["source_port"], e["target"], e["target_port"]) for e in graph["edges"]] == [
        ("fetch", "images", "train", "images"),
        ("train", "model", "evaluate", "model"),
        # notify reads nothing of evaluate: an ordering edge
        ("evaluate", ORDER_OUTPUT, "notify", "_after_evaluate"),
    ]
    train = OperationVersion.objects.get(pk=graph["nodes"][1]["operation_version"])
    assert train.operation.slug == "image-classifier-train"
    assert train.operation.project == project
    assert train.kind == "container"
    assert train.image == "nvcr.io/nvidia/pytorch:24.05-py3"
    assert train.args[5] == "30"  # numbers in args are text
    assert train.resources == {"cpu": 8.0, "memory": "32Gi", "gpus": 4, "cpu_fallback": False}
    assert train.kubernetes == {
        "secrets": ["wandb-api-key"],
        "pull_policy": "IfNotPresent",
        "node_selector": {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", "pool": "gpu"},
    }
    fetch = OperationVersion.objects.get(pk=graph["nodes"][0]["operation_version"])
    assert fetch.resources["resource_type"] == "Pod"  # the YAML default
    evaluate = OperationVersion.objects.get(pk=graph["nodes"][2]["operation_version"])
    assert [port["name"] for port in evaluate.outputs] == ["report", ORDER_OUTPUT]
    notify = OperationVersion.objects.get(pk=graph["nodes"][3]["operation_version"])
    assert notify.inputs == [
        {
            "name": "_after_evaluate",
            "type": "json",
            "description": "Runs after evaluate.",
            "optional": True,
        }
    ]


@pytest.mark.django_db
def test_multi_worker_jobs_keep_their_kind_and_workers(project, owner):
    graph = import_directory(project, FIXTURES / "pytorch", owner).versions.get().graph
    versions = {
        node["id"]: OperationVersion.objects.get(pk=node["operation_version"]) for node in graph["nodes"]
    }

    assert versions["finetune"].resources == {
        "cpu": 32.0,
        "memory": "256Gi",
        "gpus": 8,
        "cpu_fallback": False,
        "resource_type": "PyTorchJob",
        "workers": 4,
    }
    assert versions["merge-adapters"].resources["resource_type"] == "ElasticJob"
    assert versions["finetune"].kubernetes["mounts"] == [
        {"name": "hf-cache", "path": "/root/.cache/huggingface", "claim": "hf-cache-pvc"}
    ]
    assert [item["path"] for item in graph["files"]] == ["finetune.yaml"]


@pytest.mark.django_db
def test_anchors_and_merge_keys_are_shared_by_tasks_and_configs_travel(project, owner):
    graph = import_directory(project, FIXTURES / "dataprep", owner).versions.get().graph
    versions = {
        node["id"]: OperationVersion.objects.get(pk=node["operation_version"]) for node in graph["nodes"]
    }

    for name in ("clean", "sessionize"):
        assert versions[name].image == "ghcr.io/acme/spark-prep:3.5.1"
        assert versions[name].kubernetes["config_maps"] == ["spark-defaults", "log4j-config"]
        assert [mount["name"] for mount in versions[name].kubernetes["mounts"]] == ["raw", "scratch"]
        assert versions[name].resources["memory"] == "16Gi"
    assert versions["load"].kubernetes["mounts"] == [
        {"name": "raw", "path": "/data/raw", "claim": "raw-clickstream"}
    ]
    files = {item["path"]: base64.b64decode(item["content"]) for item in graph["files"]}
    assert files == {
        "configs/clean.yaml": (FIXTURES / "dataprep/configs/clean.yaml").read_bytes(),
        "configs/sessions.yaml": (FIXTURES / "dataprep/configs/sessions.yaml").read_bytes(),
    }
    # report waits for load and clean, whose outputs it does not read
    assert [(e["source"], e["target_port"]) for e in graph["edges"] if e["target"] == "report"] == [
        ("load", "_after_load"),
        ("clean", "_after_clean"),
    ]


@pytest.mark.django_db
def test_importing_a_change_updates_the_pipeline_and_freezes_a_new_version(project, owner, tmp_path):
    text = (FIXTURES / "training" / MAIN_FILE).read_text()
    pipeline, first = import_files(project, {MAIN_FILE: text.encode()}, owner)
    pipeline.graph["nodes"][0]["position"] = {"x": 5, "y": 7}
    Pipeline.objects.filter(pk=pipeline.pk).update(graph=pipeline.graph)

    changed, second = import_files(project, {MAIN_FILE: text.replace("num_gpus: 4", "num_gpus: 2").encode()})

    assert changed.pk == pipeline.pk
    assert (first.number, second.number) == (1, 2)
    assert changed.graph["nodes"][0]["position"] == {"x": 5, "y": 7}  # the canvas layout stays
    train = Operation.objects.get(project=project, slug="image-classifier-train")
    assert [v.resources["gpus"] for v in train.versions.order_by("number")] == [4, 2]
    assert Pipeline.objects.filter(project=project).count() == 1


# --- Bad input ----------------------------------------------------------------------------------

GOOD_TASK = "  - name: a\n    image: busybox:1.36\n"


def test_invalid_yaml_is_reported_with_its_line():
    [(line, message)] = problems_of("name: p\ntasks:\n  - name: a\n    image: [busybox\n")
    assert message.startswith("invalid YAML")
    assert line == 5


def test_unknown_keys_name_the_allowed_ones():
    text = "name: p\nflavour: x\ntasks:\n  - name: a\n    image: busybox:1.36\n    imag: typo\n"
    problems = problems_of(text)
    assert (2, "unknown key 'flavour' in the pipeline; allowed: name, description, tasks") in problems
    [(line, message)] = [p for p in problems if "imag'" in p[1]]
    assert line == 6
    assert "allowed: name, description, image, command, args, depends, mounts" in message


def test_every_problem_is_listed_with_its_line():
    text = """\
name: p
tasks:
  - name: a
    image: busybox:1.36
    depends: [c]
  - name: b
    image: Busybox
    resource_type: SparkJob
    num_gpus: two
  - name: c
    image: busybox:1.36
    depends: [a, ghost]
    args: ["${RUN_PATH}/x", "${RUNPATH}/y"]
  - name: a
    image: busybox:1.36
"""
    problems = problems_of(text)
    assert (7, "'Busybox': repository names must be lowercase.") in problems
    assert (
        8,
        "resource_type 'SparkJob' is not one of Pod, Job, TFJob, PyTorchJob, MPIJob, ElasticJob",
    ) in problems
    assert (9, "num_gpus must be a whole number, not text") in problems
    assert (12, "task 'c' depends on unknown task 'ghost'; tasks: a, b, c") in problems
    [variable] = [p for p in problems if "RUNPATH" in p[1]]
    assert variable[0] == 13
    assert "unknown variable ${RUNPATH}" in variable[1]
    assert (14, "task name 'a' is used twice (also task 1)") in problems


def test_a_dependency_cycle_is_named():
    text = f"""\
name: p
tasks:
{GOOD_TASK}    depends: [c]
  - name: b
    image: busybox:1.36
    depends: [a]
  - name: c
    image: busybox:1.36
    depends: [b]
"""
    assert problems_of(text) == [(5, "dependency cycle: a -> c -> b -> a")]


@pytest.mark.parametrize(
    ("task", "line", "says"),
    [
        ("    depends: [a]\n", 5, "task 'a' depends on itself"),
        ("    num_workers: 3\n", 5, "num_workers is for multi-worker jobs"),
        (
            "    mounts:\n      - {name: data, path: data, claim: pvc}\n",
            6,
            "mounts.0.path: must be an absolute",
        ),
        ("    mounts:\n      - {name: data, path: /d}\n", 6, "mount 1 has no claim"),
        ("    mounts:\n      - {name: d, path: '${DATA}/x', claim: c}\n", 6, "unknown variable ${DATA}"),
        ("    node_selector: {gpu: true}\n", 5, "the value must be text"),
        ("    pull_policy: Sometimes\n", 5, "Input should be 'Always', 'IfNotPresent' or 'Never'"),
        ("    secrets: [Bad_Name]\n", 5, "is not a Kubernetes name"),
        ("    inputs: [data]\n", 5, "input 'data' of task 'a' is not an output of a task it depends on"),
        ("    outputs: [_done]\n", 5, "reserved for ordering edges"),
        ("    args: ['{{model}}']\n", 5, "unknown placeholder {{model}}"),
        ("    command: python\n", 5, "command must be a list, not text"),
        ("    image: busybox:1.36\n", 5, "key 'image' is given twice"),
    ],
)
def test_each_bad_field_is_reported_on_its_line(task, line, says):
    problems = problems_of(f"name: p\ntasks:\n{GOOD_TASK}{task}")
    assert any(found == line and says in message for found, message in problems), problems


def test_a_task_without_name_or_image_and_a_pipeline_without_tasks():
    assert problems_of("name: p\ntasks:\n  - command: [x]\n") == [
        (3, "task 1 has no name"),
        (3, "task 1 has no image"),
    ]
    assert problems_of("name: p\n") == [(1, "the pipeline has no tasks")]
    assert problems_of("- a\n- b\n") == [
        (1, "main.yml must be a mapping with name, description, tasks, not a list")
    ]


def test_an_input_fed_by_two_dependencies_is_ambiguous():
    text = """\
name: p
tasks:
  - {name: a, image: busybox, outputs: [data]}
  - {name: b, image: busybox, outputs: [data]}
  - {name: c, image: busybox, inputs: [data], depends: [a, b]}
"""
    [(line, message)] = problems_of(text)
    assert line == 5
    assert "would be fed by both 'a' and 'b'" in message


@pytest.mark.django_db
def test_import_refuses_bad_input_and_changes_nothing(project, owner):
    with pytest.raises(ImportInvalid) as refused:
        import_files(
            project, {MAIN_FILE: b"name: p\ntasks:\n  - name: a\n    image: busybox\n    depends: [z]\n"}
        )
    assert refused.value.problems == [
        {"file": MAIN_FILE, "line": 5, "message": "task 'a' depends on unknown task 'z'; tasks: a"}
    ]
    assert not Pipeline.objects.exists()
    assert not Operation.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_files_beside_main_yml_must_stay_inside_and_small(project):
    with pytest.raises(ImportInvalid) as refused:
        import_files(project, {MAIN_FILE: b"name: p\ntasks: [{name: a, image: busybox}]\n", "a/../../x": b""})
    assert refused.value.problems[0]["file"] == "a/../../x"
    big = {MAIN_FILE: b"name: p\ntasks: [{name: a, image: busybox}]\n", "blob": b"x" * (5 * 1024 * 1024 + 1)}
    with pytest.raises(ImportInvalid, match="at most 5 MiB"):
        import_files(project, big)


# --- Names and variables --------------------------------------------------------------------------


def test_pod_names_are_dns_labels_prefixed_with_the_pipeline():
    assert pod_name("image-classifier", "train") == "image-classifier-train"
    assert pod_name("Clickstream Prep", "merge_adapters.v2") == "clickstream-prep-merge-adapters-v2"
    long = pod_name("a" * 60, "train")
    assert len(long) == 63
    assert long != pod_name("a" * 60, "trainer")


def test_processing_variables_and_their_escape():
    assert variable_problems("${RUN_PATH}/${TASK_ID} ${ROOT_PATH} ${WORK_PATH} $HOME $1 $${HOME}") == []
    [message] = variable_problems("--out=${OUTPUT}")
    assert message.startswith("unknown variable ${OUTPUT}; known: ${RUN_PATH}, ${TASK_ID}")
    assert expand_variables("${RUN_PATH}/x $${RUN_PATH} $HOME", {"RUN_PATH": "/runs/7"}) == (
        "/runs/7/x ${RUN_PATH} $HOME"
    )


# --- CLI ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_and_export_commands(project, tmp_path):
    out = io.StringIO()
    call_command("import_pipeline", str(FIXTURES / "dataprep"), project=project.name, stdout=out)
    assert "Imported 'clickstream-prep' into 'Research'" in out.getvalue()

    call_command(
        "export_pipeline_yaml", "clickstream-prep", output=str(tmp_path / "out"), stdout=io.StringIO()
    )
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")) == [
        "configs/clean.yaml",
        "configs/sessions.yaml",
        "main.yml",
    ]
    assert normalize((tmp_path / "out" / MAIN_FILE).read_bytes()) == normalize(
        (FIXTURES / "dataprep" / MAIN_FILE).read_bytes()
    )


@pytest.mark.django_db
def test_the_import_command_prints_each_problem_with_file_and_line(project, tmp_path):
    (tmp_path / MAIN_FILE).write_text("name: p\ntasks:\n  - name: a\n    image: busybox\n    gpus: 1\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_pipeline", str(tmp_path), project=str(project.pk))
    assert "1 problem\nmain.yml:5: unknown key 'gpus' in task a; allowed:" in str(failed.value)
    assert failed.value.returncode == 1


# --- API ------------------------------------------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    buffer.seek(0)
    buffer.name = "pipeline.zip"
    return buffer


@pytest.mark.django_db
def test_upload_a_main_yml_then_read_it_back(project, client_for, teammate):
    client = client_for(teammate)
    upload = io.BytesIO((FIXTURES / "training" / MAIN_FILE).read_bytes())
    upload.name = MAIN_FILE

    created = client.post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["name"], body["node_count"], body["latest_version"]["number"]) == ("image-classifier", 4, 1)
    text = client.get(f"/api/pipelines/{body['id']}/yaml/")
    assert text.status_code == 200
    assert text["Content-Type"].startswith("application/yaml")
    assert normalize(text.content) == normalize((FIXTURES / "training" / MAIN_FILE).read_bytes())
    upload.seek(0)
    again = client.post("/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart")
    assert again.status_code == 200


@pytest.mark.django_db
def test_upload_a_zip_of_the_directory_and_download_it_as_zip(project, client_for, owner):
    client = client_for(owner)
    files = read_directory(FIXTURES / "dataprep")
    upload = zip_of({f"clickstream-prep/{path}": data for path, data in files.items()})

    created = client.post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )

    assert created.status_code == 201, created.json()
    pipeline = Pipeline.objects.get(pk=created.json()["id"])
    download = client.get(f"/api/pipelines/{pipeline.pk}/yaml/?format=zip")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download.content == export_zip(pipeline)
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == ["configs/clean.yaml", "configs/sessions.yaml", "main.yml"]
        assert archive.read("configs/clean.yaml") == files["configs/clean.yaml"]
    assert client.get(f"/api/pipelines/{pipeline.pk}/yaml/?version=9").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("evil", ["../escape.txt", "/etc/cron.d/x", "configs/../../up.txt"])
def test_a_zip_reaching_outside_its_directory_is_refused(project, client_for, owner, evil, tmp_path):
    client = client_for(owner)
    upload = zip_of({MAIN_FILE: b"name: p\ntasks: [{name: a, image: busybox}]\n", evil: b"owned"})

    refused = client.post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )

    assert refused.status_code == 400
    [problem] = refused.json()["problems"]
    assert problem["file"] == evil
    assert not Pipeline.objects.exists()


@pytest.mark.django_db
def test_upload_problems_are_a_400_with_file_and_line(project, client_for, owner, viewer):
    upload = io.BytesIO(b"name: p\ntasks:\n  - name: a\n    image: busybox\n    resource_type: Deployment\n")
    upload.name = MAIN_FILE

    refused = client_for(owner).post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "problems": [
            {
                "file": MAIN_FILE,
                "line": 5,
                "message": "resource_type 'Deployment' is not one of Pod, Job, TFJob, PyTorchJob, MPIJob, "
                "ElasticJob",
            }
        ]
    }
    upload.seek(0)
    as_viewer = client_for(viewer).post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )
    assert as_viewer.status_code == 400
    assert "project" in as_viewer.json()


@pytest.mark.django_db
def test_a_pipeline_of_python_operations_cannot_be_written_as_yaml(project, client_for, owner, make_pipeline):
    pipeline = make_pipeline(project, [("data", "make_dataset")])
    refused = client_for(owner).get(f"/api/pipelines/{pipeline.pk}/yaml/")
    assert refused.status_code == 400
    assert "only container operations are YAML tasks" in refused.json()["problems"][0]


# --- Hashes of existing versions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_versions_without_kubernetes_extras_hash_as_before():
    load_builtin_operations(LoadReport())
    versions = list(OperationVersion.objects.all())
    assert versions
    for version in versions:
        before = {field: getattr(version, field) for field in OperationVersion.HASHED_FIELDS}
        assert OperationVersion.hash_of(before) == content_hash(before) == version.content_hash
        assert OperationVersion.hash_of({**before, "kubernetes": {}}) == version.content_hash
    again = LoadReport()
    load_builtin_operations(again)
    assert again.versions_created == []
    assert OperationVersion.hash_of({**before, "kubernetes": {"secrets": ["s"]}}) != version.content_hash


# --- The Kubernetes extras of container operations, through the API ------------------------------------

CONTAINER = {
    "kind": "container",
    "image": "ghcr.io/acme/train:1.0",
    "command": ["python", "train.py", "--out", "${RUN_PATH}/model"],
    "outputs": [{"name": "model", "type": "file"}],
}


@pytest.fixture
def train_op(project, client_for, teammate):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Train", "slug": "train"}, format="json"
    ).json()
    return f"/api/operations/{op['id']}/versions/", client


@pytest.mark.django_db
def test_kubernetes_extras_are_stored_normalised_and_hashed_only_when_set(train_op):
    url, client = train_op
    plain = client.post(url, CONTAINER, format="json")
    same = client.post(url, {**CONTAINER, "kubernetes": {"secrets": [], "node_selector": {}}}, format="json")
    extras = {
        "mounts": [{"name": "data", "path": "${WORK_PATH}/data", "claim": "datasets"}],
        "secrets": ["wandb"],
        "pull_policy": "Always",
        "node_selector": {"pool": "gpu"},
        "config_maps": [],
    }
    with_extras = client.post(url, {**CONTAINER, "kubernetes": extras}, format="json")

    assert (plain.status_code, same.status_code, with_extras.status_code) == (201, 200, 201)
    assert plain.json()["kubernetes"] == {}
    stored = {key: value for key, value in extras.items() if value}
    assert with_extras.json()["kubernetes"] == stored
    version = OperationVersion.objects.get(pk=with_extras.json()["id"])
    assert version.content_hash == OperationVersion.hash_of(
        {**{field: getattr(version, field) for field in OperationVersion.HASHED_FIELDS}, "kubernetes": stored}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kubernetes", "field", "says"),
    [
        (
            {"mounts": [{"name": "data", "path": "data", "claim": "c"}]},
            "kubernetes.mounts.0.path",
            "absolute",
        ),
        (
            {"mounts": [{"name": "d", "path": "${HOME}/d", "claim": "c"}]},
            "kubernetes.mounts.0.path",
            "${HOME}",
        ),
        ({"mounts": [{"name": "d", "path": "/d"}]}, "kubernetes.mounts.0.claim", "Field required"),
        ({"pull_policy": "Sometimes"}, "kubernetes.pull_policy", "IfNotPresent"),
        ({"secrets": ["Not_A_Name"]}, "kubernetes.secrets.0", "not a Kubernetes name"),
        ({"node_selector": {"pool": "has space"}}, "kubernetes.node_selector", "not a label value"),
        ({"colour": "blue"}, "kubernetes.colour", "Extra inputs"),
    ],
)
def test_bad_kubernetes_extras_are_a_400_naming_the_field(train_op, kubernetes, field, says):
    url, client = train_op
    refused = client.post(url, {**CONTAINER, "kubernetes": kubernetes}, format="json")
    assert refused.status_code == 400
    assert says in " ".join(refused.json()[field])


@pytest.mark.django_db
def test_unknown_variables_in_args_are_a_400(train_op):
    url, client = train_op
    refused = client.post(url, {**CONTAINER, "args": ["${OUT_DIR}"]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["args"][0].startswith("Item 1: unknown variable ${OUT_DIR}")


@pytest.mark.django_db
def test_a_python_version_keeps_no_kubernetes_extras_and_a_copy_keeps_them(
    train_op, project, client_for, owner
):
    url, client = train_op
    python = client.post(
        url,
        {"kind": "python", "source": "def run():\n    pass\n", "kubernetes": {"secrets": ["s"]}},
        format="json",
    )
    assert python.json()["kubernetes"] == {}
    client.post(url, {**CONTAINER, "kubernetes": {"secrets": ["wandb"]}}, format="json")
    operation_id = url.split("/")[3]
    copy = client_for(owner).post(f"/api/operations/{operation_id}/duplicate/", {"project": project.pk})
    assert copy.status_code == 201
    latest = Operation.objects.get(pk=copy.json()["id"]).latest_version
    assert latest is not None
    assert latest.kubernetes == {"secrets": ["wandb"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "says"),
    [
        ([{"path": "../x", "content": ""}], "plain relative path"),
        ([{"path": "main.yml", "content": ""}], "the pipeline's own description"),
        ([{"path": "a", "content": "not base64!"}], "content must be base64"),
        ([{"path": "a", "content": ""}, {"path": "a/b", "content": ""}], "is a file and a folder"),
    ],
)
def test_a_draft_with_bad_files_is_refused(project, client_for, owner, files, says):
    client = client_for(owner)
    pipeline = client.post("/api/pipelines/", {"project": project.pk, "name": "P"}, format="json").json()
    graph = {"nodes": [], "edges": [], "inputs": [], "files": files}
    refused = client.patch(f"/api/pipelines/{pipeline['id']}/", {"graph": graph}, format="json")
    assert refused.status_code == 400
    assert says in str(refused.json()["graph"])
