"""RunEvents: the ordered log of everything that happened in a run."""

from django.db import models


class RunEvent(models.Model):
    run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="events")
    # Per-run, gapless: viewers detect missed events by sequence number.
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    node_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="run_event_seq")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.seq} {self.kind}"
