"""Every ORM model, imported once so the metadata is complete (Alembic and the tests use it)."""

from __future__ import annotations

from affectrange.accounts.models import ApiToken, LoginFailure, User, WebSession
from affectrange.audit.models import AuditEntry, AuditHead
from affectrange.careplan.models import CareGoal, CareGoalTick, ImpactRating
from affectrange.checkins.models import Checkin
from affectrange.db import Base
from affectrange.directory.models import (
    ContactRequest,
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryOrganization,
    DirectoryPlan,
    DirectoryPlanNetwork,
    DirectoryPractitioner,
    DirectoryProfileConsent,
    DirectoryRevision,
    DirectoryRole,
)
from affectrange.medications.models import MedicationEvent
from affectrange.preparation.models import AppointmentQuestion
from affectrange.questionnaires.models import QuestionnaireResponse, Reassessment, ScheduleChoice
from affectrange.reminders.models import ReminderSettings, SentReminder
from affectrange.safety_events.models import SafetyEvent
from affectrange.sharing.models import Share, ShareInvitation
from affectrange.state import AppState

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AppState",
    "AppointmentQuestion",
    "AuditEntry",
    "AuditHead",
    "CareGoal",
    "CareGoalTick",
    "Checkin",
    "ContactRequest",
    "DirectoryLocation",
    "DirectoryNetwork",
    "DirectoryOrganization",
    "DirectoryPlan",
    "DirectoryPlanNetwork",
    "DirectoryPractitioner",
    "DirectoryProfileConsent",
    "DirectoryRevision",
    "DirectoryRole",
    "ImpactRating",
    "LoginFailure",
    "MedicationEvent",
    "QuestionnaireResponse",
    "Reassessment",
    "ReminderSettings",
    "SafetyEvent",
    "ScheduleChoice",
    "SentReminder",
    "Share",
    "ShareInvitation",
    "User",
    "WebSession",
    "metadata",
]
