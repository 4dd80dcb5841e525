from django.contrib import admin

from editor.models import (
    Artifact,
    Membership,
    Operation,
    OperationVersion,
    Pipeline,
    PipelineVersion,
    Project,
)


class MembershipInline(admin.TabularInline[Membership, Project]):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["project", "user", "role"]
    list_filter = ["role"]


class OperationVersionInline(admin.TabularInline[OperationVersion, Operation]):
    model = OperationVersion
    fields = ["number", "kind", "content_hash", "created_at"]
    readonly_fields = ["number", "kind", "content_hash", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin[Operation]):
    list_display = ["name", "slug", "category", "project"]
    list_filter = ["category"]
    search_fields = ["name", "slug"]
    inlines = [OperationVersionInline]


@admin.register(OperationVersion)
class OperationVersionAdmin(admin.ModelAdmin[OperationVersion]):
    list_display = ["operation", "number", "kind", "content_hash", "created_at"]
    readonly_fields = [f.name for f in OperationVersion._meta.fields]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin[Pipeline]):
    list_display = ["name", "project", "updated_at"]
    search_fields = ["name"]


@admin.register(PipelineVersion)
class PipelineVersionAdmin(admin.ModelAdmin[PipelineVersion]):
    list_display = ["pipeline", "number", "content_hash", "created_at"]
    readonly_fields = [f.name for f in PipelineVersion._meta.fields]


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin[Artifact]):
    list_display = ["name", "project", "storage_backend", "size", "created_at"]
    search_fields = ["name", "checksum"]
    readonly_fields = ["location", "size", "checksum", "storage_backend"]
