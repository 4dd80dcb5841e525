from django.contrib import admin

from runs.models import Experiment, NodeRun, Run, RunEvent


class NodeRunInline(admin.TabularInline[NodeRun, Run]):
    model = NodeRun
    fields = ["node_id", "state", "attempt", "started_at", "finished_at"]
    readonly_fields = ["node_id", "state", "attempt", "started_at", "finished_at"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Run)
class RunAdmin(admin.ModelAdmin[Run]):
    list_display = ["name", "pipeline", "state", "created_at", "finished_at"]
    list_filter = ["state", "debug"]
    search_fields = ["name"]
    inlines = [NodeRunInline]


@admin.register(NodeRun)
class NodeRunAdmin(admin.ModelAdmin[NodeRun]):
    list_display = ["run", "node_id", "state", "attempt", "started_at", "finished_at"]
    list_filter = ["state"]


@admin.register(RunEvent)
class RunEventAdmin(admin.ModelAdmin[RunEvent]):
    list_display = ["run", "seq", "kind", "node_id", "created_at"]
    list_filter = ["kind"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin[Experiment]):
    list_display = ["name", "project", "archived", "created_at"]
