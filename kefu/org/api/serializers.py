from rest_framework import serializers

from kefu.org.models import Department, Staff


class TeamOutput(serializers.ModelSerializer[Department]):
    name = serializers.CharField(source="display_name")
    parent_name = serializers.CharField(source="parent.display_name", default=None)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "parent", "parent_name"]
        read_only_fields = fields


class StaffOutput(serializers.ModelSerializer[Staff]):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    role = serializers.CharField(source="role.code")
    department_name = serializers.CharField(source="department.display_name")

    class Meta:
        model = Staff
        fields = ["id", "username", "display_name", "employee_no", "role", "department", "department_name"]
        read_only_fields = fields
