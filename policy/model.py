"""Closed sets of the domain (docs/domain.md, "Words"): storage, API and rules use these enums."""

from __future__ import annotations

from enum import Enum


class OrgLevel(str, Enum):
    GRASSROOTS = "grassroots"  # Đảng bộ cơ sở
    CELL = "cell"  # Chi bộ
    GROUP = "group"  # Tổ đảng


class MemberStatus(str, Enum):
    FULL = "full"  # Đảng viên chính thức
    PROBATIONARY = "probationary"  # Đảng viên dự bị


class E1aReason(str, Enum):
    """Special characteristics (E1a) a member record can carry."""

    ABROAD = "abroad"  # ở nước ngoài, không ở cơ quan đại diện
    MULTI_PROVINCE = "multi_province"  # cơ quan có trụ sở ở nhiều tỉnh
    FAR_FROM_HOME = "far_from_home"  # làm việc xa nhà
    STUDENT_BREAK = "student_break"  # sinh viên nghỉ hè
    ARMED_FORCES = "armed_forces"  # lực lượng vũ trang
    HEALTH_DUTY = "health_duty"  # y tế
    FOREST_RANGER = "forest_ranger"  # kiểm lâm
    SEAFARER = "seafarer"  # thuyền viên tuyến quốc tế
    OFFSHORE = "offshore"  # công trình ngoài khơi
    ISLAND = "island"  # hải đảo


class MemberFlag(str, Enum):
    """The flags of a member record that change who is counted (E1, A2); each may carry dates."""

    EXEMPTED = "exempted"  # miễn công tác và sinh hoạt đảng
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt đảng
    TEMPORARILY_ATTACHED = "temporarily_attached"  # sinh hoạt đảng tạm thời


class IssuerKind(str, Enum):
    """Who issued a pilot decision (E3; 03-HD/TW §III.1)."""

    #: the directly superior committee, directed by the provincial standing committee
    SUPERIOR_COMMITTEE = "superior_committee"
    #: ban thường vụ tỉnh ủy, thành ủy, đảng ủy trực thuộc Trung ương
    PROVINCIAL_STANDING = "provincial_standing"
    #: Đảng ủy Bộ Ngoại giao: decides for organisations abroad
    MFA_COMMITTEE = "mfa_committee"
    #: anyone else (the cell itself, a union, a government office): not competent
    OTHER = "other"


class CircumstanceKind(str, Enum):
    """Special circumstances (E1b)."""

    NATURAL_DISASTER = "natural_disaster"
    ISOLATION = "isolation"
    EPIDEMIC = "epidemic"


class Role(str, Enum):
    SECRETARY = "secretary"
    DEPUTY = "deputy"
    COMMITTEE = "committee"
    MEMBER = "member"
    GROUP_LEADER = "group_leader"
    OBSERVER = "observer"  # superior-committee observer (R5)
    SECURITY_OFFICER = "security_officer"
    ADMIN = "admin"
    ROOM_DEVICE = "room_device"  # the hall's camera and microphone, never a member
    ORG_BOARD = "org_board"  # the superior committee's organisation board: vets pilots (V2)
    STANDING_COMMITTEE = "standing_committee"  # ban thường vụ: decides pilots (V2, E3)


class ApprovalScope(str, Enum):
    ONLINE = "online"
    GROUP = "group"


class MeetingKind(str, Enum):
    REGULAR = "regular"  # định kỳ
    THEMATIC = "thematic"  # chuyên đề
    COMMITTEE = "committee"  # chi ủy
    GROUP = "group"  # tổ đảng


class MeetingMode(str, Enum):
    IN_PERSON = "in_person"
    HYBRID = "hybrid"
    ONLINE = "online"
    GROUP = "group"


class MeetingStatus(str, Enum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaCategory(str, Enum):
    """Declared category of an agenda item: T1–T15 are blocked online (03-HD/TW §II.3.2)."""

    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"
    T5 = "T5"
    T6 = "T6"
    T7 = "T7"
    T8 = "T8"
    T9 = "T9"
    T10 = "T10"
    T11 = "T11"
    T12 = "T12"
    T13 = "T13"
    T14 = "T14"
    T15 = "T15"
    ORDINARY = "ordinary"  # thông tin thời sự, học tập, công việc thường kỳ
    STUDY = "study"  # học tập nghị quyết, quy định
    TASK_REPORT = "task_report"  # R8: báo cáo nhiệm vụ được giao
    OTHER = "other"


class ItemStatus(str, Enum):
    PLANNED = "planned"
    OPEN = "open"
    DONE = "done"
    DEFERRED = "deferred"  # moved to the next in-person meeting (G1)
