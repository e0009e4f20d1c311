"""Translation table part: pages. The front door, the home page and the readable error pages
served in place of a page shell; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "pages.error.not_found.title": ("Không tìm thấy cuộc họp", "Meeting not found"),
    "pages.error.not_found.body": (
        "Không có cuộc họp này. Đường dẫn có thể đã sai hoặc cuộc họp đã bị xoá.",
        "There is no such meeting. The link may be wrong or the meeting was removed.",
    ),
    "pages.error.forbidden.title": ("Không có quyền xem", "Not allowed"),
    "pages.error.forbidden.body": (
        "Tài khoản của đồng chí không được mời hoặc không có quyền mở trang này. Lần truy cập "
        "này đã được ghi vào nhật ký.",
        "Your account is not invited to, or not allowed to open, this page. This attempt has "
        "been logged.",
    ),
    "pages.error.home": ("Về trang chủ", "Back to the home page"),
    "pages.home.title": ("Trang chủ", "Home"),
    "pages.home.greeting": ("Xin chào, {name}", "Hello, {name}"),
    "pages.home.today": ("Cuộc họp hôm nay", "Today's meetings"),
    "pages.home.upcoming": ("Cuộc họp sắp tới", "Upcoming meetings"),
    "pages.home.none": ("Chưa có cuộc họp nào được lên lịch.", "No meeting is scheduled."),
    "pages.home.join": ("Vào họp", "Join"),
    "pages.home.chair": ("Điều hành", "Chair"),
    "pages.home.officer": ("Bảng điều khiển an ninh", "Security console"),
    "pages.home.scope": (
        "Điều kiện họp trực tuyến (E1)",
        "Online meetings: who cannot meet in person (E1)",
    ),
    "pages.home.account": ("Tài khoản và bảo mật", "Account and security"),
    "pages.home.logout": ("Đăng xuất", "Sign out"),
    "pages.home.quality": (
        "Kết quả đánh giá chất lượng sinh hoạt chi bộ",
        "The quality of the cell's meetings, as evaluated",
    ),
    "pages.home.quality.period": ("kỳ {period}", "period {period}"),
    "pages.home.quality.published": (
        "Cấp ủy cấp trên công bố ngày {date} (Q2).",
        "Published by the superior committee on {date} (Q2).",
    ),
    "pages.home.committee": ("Các chi bộ trực thuộc", "The committee's cells"),
    "pages.home.board": ("Thí điểm: hồ sơ đăng ký", "Pilot registrations"),
    "pages.home.pilot": ("Đăng ký thí điểm của chi bộ", "The cell's pilot registrations"),
    "pages.home.loading": ("Đang tải…", "Loading…"),
    "pages.home.load_failed": (
        "Không tải được danh sách cuộc họp. Hãy thử tải lại trang.",
        "The meetings could not be loaded. Try reloading the page.",
    ),
    "pages.home.status.scheduled": ("Đã lên lịch", "Scheduled"),
    "pages.home.status.open": ("Đang họp", "In progress"),
    "pages.home.status.closed": ("Đã kết thúc", "Ended"),
    "pages.home.status.cancelled": ("Đã huỷ", "Cancelled"),
    "pages.home.mode.in_person": ("Trực tiếp", "In person"),
    "pages.home.mode.hybrid": ("Kết hợp trực tiếp và trực tuyến", "Hybrid"),
    "pages.home.mode.online": ("Trực tuyến", "Online"),
    "pages.home.mode.group": ("Họp tổ đảng", "Party group"),
    "pages.home.no_meeting_role": (
        "Tài khoản này không tham dự cuộc họp chi bộ.",
        "This account does not attend cell meetings.",
    ),
}
