from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import QueryInput
from jobs import selectors, services
from jobs.enums import JobStatus
from jobs.models import Job


class JobOutput(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "params",
            "status",
            "progress",
            "message",
            "result",
            "error",
            "cancel_requested",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]


class JobQuery(QueryInput):
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    kind = serializers.CharField(required=False, max_length=64, help_text="e.g. historical.backfill")


@extend_schema_view(get=extend_schema(parameters=[JobQuery]))
class JobListApi(generics.ListAPIView):
    serializer_class = JobOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        params = JobQuery(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.job_list(user=self.request.user).filter(**params.validated_data)


class JobDetailApi(generics.RetrieveAPIView):
    serializer_class = JobOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return selectors.job_list(user=self.request.user)


class JobCancelApi(APIView):
    @extend_schema(request=None, responses={200: JobOutput})
    def post(self, request: Request, pk: int) -> Response:
        job = selectors.job_get(user=request.user, job_id=pk)
        return Response(JobOutput(services.job_cancel(job_id=job.pk)).data)
