"""The approval pages: submit, approve, reject and unlock a week; a manager's teams."""

from django.urls import path

from worklog.teams import views

urlpatterns = [
    path("timer/week/submit/", views.submit, name="week-submit"),
    path("timer/weeks/<uuid:pk>/approve/", views.approve, name="week-approve"),
    path("timer/weeks/<uuid:pk>/reject/", views.reject, name="week-reject"),
    path("timer/weeks/<uuid:pk>/unlock/", views.unlock, name="week-unlock"),
    path("teams/", views.teams, name="teams"),
    path("teams/<uuid:pk>/", views.team, name="team-detail"),
    path("teams/<uuid:pk>/week/", views.team_week, name="team-week"),
    path("teams/<uuid:pk>/members/<int:user_id>/week/", views.member_week, name="team-member-week"),
]
