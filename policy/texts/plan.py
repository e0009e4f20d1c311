"""Translation table part: the secretary's planning pages (schedule a meeting; prepare it: agenda
with the gate pre-check, documents with the M3 deadline, invitations, party groups) and the
"Căn cứ" detail that holds rule ids on the consoles; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "plan.basis": ("Căn cứ", "Basis"),
    "plan.home.schedule": ("Lên lịch cuộc họp", "Schedule a meeting"),
    "plan.home.prepare": ("Chuẩn bị", "Prepare"),
    "plan.back_home": ("Về trang chủ", "Back to the home page"),
    "plan.loading": ("Đang tải…", "Loading…"),
    "plan.load_failed": (
        "Không tải được trang. Hãy thử tải lại trang.",
        "The page could not be loaded. Try reloading it.",
    ),
    "plan.refused": ("Không thực hiện được: {message}", "Refused: {message}"),
    "plan.saved": ("Đã lưu.", "Saved."),
    # schedule a meeting
    "plan.title": ("Lên lịch cuộc họp", "Schedule a meeting"),
    "plan.no_role": (
        "Tài khoản này không được lên lịch cuộc họp.",
        "This account may not schedule meetings.",
    ),
    "plan.org": ("Chi bộ", "Cell"),
    "plan.kind": ("Loại cuộc họp", "Kind of meeting"),
    "plan.kind.regular": ("Sinh hoạt thường kỳ", "Regular meeting"),
    "plan.kind.thematic": ("Sinh hoạt chuyên đề", "Thematic meeting"),
    "plan.kind.committee": ("Họp chi ủy", "Committee meeting"),
    "plan.mode": ("Hình thức", "Mode"),
    "plan.mode.in_person": ("Trực tiếp", "In person"),
    "plan.mode.hybrid": ("Kết hợp trực tiếp và trực tuyến", "Hybrid"),
    "plan.mode.online": ("Trực tuyến", "Online"),
    "plan.mode.group": ("Theo tổ đảng", "By party groups"),
    "plan.meeting_title": ("Tên cuộc họp", "Title"),
    "plan.date": ("Ngày (giờ Việt Nam)", "Date (Vietnam time)"),
    "plan.time": ("Giờ bắt đầu (giờ Việt Nam)", "Start time (Vietnam time)"),
    "plan.location": ("Địa điểm", "Place"),
    "plan.submit": ("Lên lịch", "Schedule"),
    "plan.eligibility": ("Điều kiện vào ngày đã chọn", "Conditions on the chosen date"),
    "plan.eligibility.pick_date": (
        "Chọn ngày để xem điều kiện sinh hoạt trực tuyến và theo tổ đảng.",
        "Pick a date to see the conditions for online and party-group meetings.",
    ),
    "plan.eligibility.mode": ("{mode}: {verdict}", "{mode}: {verdict}"),
    "plan.caps": ("Số lần thí điểm đã dùng trong năm", "Pilot meetings used this year"),
    "plan.cap.allowed": ("Còn trong giới hạn", "Within the cap"),
    "plan.cap.blocked": ("Đã hết", "Cap reached"),
    "plan.eligibility.ok": ("được phép", "allowed"),
    "plan.eligibility.no": ("không được phép", "not allowed"),
    "plan.eligibility.chosen_no": (
        "Hình thức đã chọn không được phép vào ngày này; hệ thống sẽ từ chối khi lưu.",
        "The chosen mode is not allowed on this date; saving will be refused.",
    ),
    "plan.duties": ("Việc cần làm của chi bộ", "What the cell has due"),
    "plan.duties.none": ("Không có việc nào đến hạn.", "Nothing is due."),
    "plan.duty.due": ("Đến hạn", "Due"),
    "plan.duty.overdue": ("Quá hạn", "Overdue"),
    "plan.duty.done": ("Đã xong", "Done"),
    "plan.duty.upcoming": ("Sắp đến hạn", "Coming up"),
    "plan.meetings": ("Các cuộc họp đã lên lịch", "Scheduled meetings"),
    "plan.meetings.none": ("Chưa có cuộc họp nào.", "No meeting yet."),
    "plan.bad_time": (
        "Hãy chọn ngày và giờ bắt đầu.",
        "Choose the date and the start time.",
    ),
    # prepare a meeting
    "prep.title": ("Chuẩn bị cuộc họp", "Prepare the meeting"),
    "prep.chair_link": ("Bàn điều hành", "Chair console"),
    "prep.agenda": ("Chương trình cuộc họp", "Agenda"),
    "prep.agenda.empty": ("Chưa có nội dung nào.", "No item yet."),
    "prep.item.title": ("Nội dung", "Item"),
    "prep.item.description": ("Mô tả (không bắt buộc)", "Description (optional)"),
    "prep.item.category": ("Loại nội dung", "Category"),
    "prep.item.add": ("Thêm vào chương trình", "Add to the agenda"),
    "prep.item.checking": ("Đang kiểm tra…", "Checking…"),
    "prep.item.type_to_check": (
        "Nhập nội dung để kiểm tra theo quy định (G1, G2).",
        "Type the item to check it against the rules (G1, G2).",
    ),
    "prep.gate.allowed": ("Được phép", "Allowed"),
    "prep.gate.suspected": ("Nghi vấn: cần xem lại", "Suspected: needs review"),
    "prep.gate.blocked": ("Bị chặn", "Blocked"),
    "prep.documents": ("Tài liệu", "Documents"),
    "prep.documents.deadline": (
        "Hạn gửi tài liệu cho đảng viên (M3): trước {when}.",
        "Send documents to members (M3) before {when}.",
    ),
    "prep.documents.file": ("Chọn tệp", "Choose a file"),
    "prep.documents.upload": ("Tải lên", "Upload"),
    "prep.documents.none": ("Chưa có tài liệu.", "No document yet."),
    "prep.documents.publish": ("Gửi cho đảng viên", "Publish to members"),
    "prep.documents.draft": ("Chưa gửi", "Not published"),
    "prep.documents.published": ("Đã gửi: {when}", "Published: {when}"),
    "prep.documents.late": ("Gửi muộn (M3)", "Published late (M3)"),
    "prep.documents.pick_file": ("Hãy chọn một tệp.", "Choose a file."),
    "prep.invitations": ("Lời mời", "Invitations"),
    "prep.invitations.hint": (
        "Mỗi đường dẫn chỉ dùng được một lần, cho đúng người được mời, và có hạn sử dụng.",
        "Each link works once, only for the person invited, and expires.",
    ),
    "prep.invitations.member": ("Người được mời", "Invite"),
    "prep.invitations.send": ("Tạo đường dẫn mời", "Create an invitation link"),
    "prep.invitations.made": ("Đường dẫn mời cho {name}:", "Invitation link for {name}:"),
    "prep.invitations.expires": ("Hết hạn: {when}", "Expires: {when}"),
    "prep.invitations.observer_title": (
        "Mời đại biểu cấp trên dự (giám sát)",
        "Invite a superior-committee observer",
    ),
    "prep.invitations.observer_hint": (
        "Đại biểu được cấp ủy cấp trên phân công dự sinh hoạt chi bộ (R5) nhận một đường dẫn"
        " riêng; đại biểu dự với tư cách giám sát, không biểu quyết và không tính vào số lượng"
        " đảng viên dự họp.",
        "A member the superior committee assigned to attend the cell (R5) gets a link of their"
        " own; they attend as an observer, without a vote, and are not counted in the quorum.",
    ),
    "prep.invitations.observer": ("Tên đăng nhập của đại biểu", "The observer's username"),
    "prep.invitations.observer_send": ("Mời dự với tư cách giám sát", "Invite as observer"),
    "prep.invitations.observer_empty": (
        "Hãy nhập tên đăng nhập của đại biểu.",
        "Enter the observer's username.",
    ),
    "prep.invitations.made_observer": (
        "Đường dẫn mời đại biểu giám sát {name}:",
        "Invitation link for observer {name}:",
    ),
    "prep.groups": ("Phân công tổ đảng", "Party-group assignments"),
    "prep.groups.hint": (
        "Cuộc họp theo tổ đảng: mỗi tổ họp riêng, có tổ trưởng chủ trì và một đồng chí chi ủy"
        " dự (E2, P5, GM3).",
        "A meeting by party groups: each group meets on its own, chaired by its leader, with a"
        " committee member attending (E2, P5, GM3).",
    ),
    "prep.groups.committee_meeting": ("Cuộc họp chi ủy quyết định", "Deciding committee meeting"),
    "prep.groups.none_committee": (
        "Chưa có cuộc họp chi ủy nào: hãy lên lịch một cuộc họp chi ủy trước.",
        "No committee meeting yet: schedule a committee meeting first.",
    ),
    "prep.groups.leader": ("Tổ trưởng", "Group leader"),
    "prep.groups.committee_member": ("Chi ủy viên dự", "Committee member attending"),
    "prep.groups.start": ("Giờ họp (giờ Việt Nam)", "Start (Vietnam time)"),
    "prep.groups.save": ("Lưu phân công", "Save the assignments"),
    "prep.groups.assigned": ("Đã phân công {count} tổ.", "{count} groups assigned."),
    "prep.groups.not_group": (
        "Chỉ cuộc họp theo tổ đảng mới cần phân công tổ.",
        "Only a meeting by party groups needs group assignments.",
    ),
}
