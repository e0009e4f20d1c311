"""Translation table part: the roster (the cell's members, their flags with dates, E1a reasons
with their periods, party groups and roles, the history of changes, import and export) and the
accounts (enrolment links, second-factor reset, locking, sign-out everywhere); values are
(vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "roster.title": ("Danh sách đảng viên", "The roster"),
    "roster.home_link": ("Danh sách đảng viên và tài khoản", "Roster and accounts"),
    "roster.back_home": ("Về trang chủ", "Back to the home page"),
    "roster.no_role": (
        "Tài khoản này không được xem danh sách đảng viên của chi bộ nào.",
        "This account may not read the roster of any cell.",
    ),
    "roster.cell": ("Chi bộ", "Cell"),
    "roster.loading": ("Đang tải…", "Loading…"),
    "roster.load_failed": (
        "Không tải được danh sách. Hãy thử tải lại trang.",
        "The roster could not be loaded. Try reloading the page.",
    ),
    "roster.refused": ("Không thực hiện được: {message}", "Refused: {message}"),
    "roster.saved": ("Đã lưu.", "Saved."),
    "roster.count": ("{count} đảng viên", "{count} members"),
    # E1: the figure the roster decides
    "roster.scope": (
        "E1 ngày {date}: {unable}/{counted} đảng viên được tính không thể sinh hoạt trực tiếp "
        "(không tính đảng viên miễn sinh hoạt, bị đình chỉ).",
        "E1 on {date}: {unable} of {counted} counted members cannot meet in person (exempted "
        "and suspended members are not counted).",
    ),
    "roster.scope.more_than_half": ("Hơn một nửa: đủ điều kiện E1.", "More than half: E1 met."),
    "roster.scope.not_half": (
        "Chưa quá một nửa: chưa đủ điều kiện E1.",
        "Not more than half: E1 not met.",
    ),
    # columns
    "roster.col.name": ("Họ và tên", "Full name"),
    "roster.col.status": ("Loại đảng viên", "Status"),
    "roster.col.flags": ("Miễn, đình chỉ, tạm thời", "Exempted, suspended, attached"),
    "roster.col.e1a": ("Lý do E1a (thời gian)", "E1a reasons (period)"),
    "roster.col.location": ("Nơi ở, nơi công tác", "Location"),
    "roster.col.group": ("Tổ đảng", "Party group"),
    "roster.col.roles": ("Chức vụ", "Roles"),
    "roster.col.account": ("Tài khoản", "Account"),
    "roster.col.actions": ("Thao tác", "Actions"),
    "roster.status.full": ("Chính thức", "Full"),
    "roster.status.probationary": ("Dự bị", "Probationary"),
    "roster.flag.exempted": ("Miễn sinh hoạt", "Exempted"),
    "roster.flag.suspended": ("Đình chỉ sinh hoạt", "Suspended"),
    "roster.flag.temporarily_attached": ("Sinh hoạt tạm thời", "Temporarily attached"),
    "roster.period.from": ("từ {date}", "from {date}"),
    "roster.period.to": ("đến {date}", "until {date}"),
    "roster.period.always": ("không thời hạn", "no end date"),
    "roster.period.season": ("trong dịp nghỉ hè (1/6–31/8)", "in the summer break (1 Jun–31 Aug)"),
    "roster.period.now": ("đang tính hôm nay", "counts today"),
    "roster.period.not_now": ("hôm nay không tính", "does not count today"),
    "roster.no_group": ("Chưa vào tổ", "No group"),
    "roster.none": ("—", "—"),
    "roster.reason.abroad": (
        "Ở nước ngoài (không ở cơ quan đại diện)",
        "Abroad (not at a representative mission)",
    ),
    "roster.reason.multi_province": (
        "Cơ quan có trụ sở ở nhiều tỉnh",
        "Organisation seated in several provinces",
    ),
    "roster.reason.far_from_home": ("Làm việc xa nhà", "Working far from home"),
    "roster.reason.student_break": ("Sinh viên nghỉ hè", "Student on summer break"),
    "roster.reason.armed_forces": ("Lực lượng vũ trang", "Armed forces"),
    "roster.reason.health_duty": ("Trực y tế", "Health duty"),
    "roster.reason.forest_ranger": ("Kiểm lâm", "Forest ranger"),
    "roster.reason.seafarer": ("Thuyền viên tuyến quốc tế", "Seafarer on international routes"),
    "roster.reason.offshore": ("Công trình ngoài khơi", "Offshore works"),
    "roster.reason.island": ("Hải đảo", "Island"),
    "roster.role.secretary": ("Bí thư", "Secretary"),
    "roster.role.deputy": ("Phó bí thư", "Deputy secretary"),
    "roster.role.committee": ("Chi ủy viên", "Committee member"),
    "roster.role.group_leader": ("Tổ trưởng", "Group leader"),
    "roster.role.member": ("Đảng viên", "Member"),
    "roster.role.observer": ("Giám sát", "Observer"),
    "roster.role.security_officer": ("Cán bộ bảo mật", "Security officer"),
    "roster.role.admin": ("Quản trị", "Administrator"),
    "roster.role.room_device": ("Thiết bị phòng họp", "Room device"),
    "roster.role.org_board": ("Ban tổ chức", "Organisation board"),
    "roster.role.standing_committee": ("Ban thường vụ", "Standing committee"),
    # editing a member
    "roster.edit": ("Sửa", "Edit"),
    "roster.edit_title": ("Sửa hồ sơ: {name}", "Edit the record: {name}"),
    "roster.add": ("Thêm đảng viên", "Add a member"),
    "roster.save": ("Lưu", "Save"),
    "roster.cancel": ("Hủy", "Cancel"),
    "roster.from": ("Từ ngày", "From"),
    "roster.to": ("Đến ngày", "Until"),
    "roster.e1a_help": (
        "Lý do thời vụ hoặc tạm thời chỉ được tính trong thời gian ghi ở đây (E1a).",
        "A seasonal or temporary reason counts only within the period given here (E1a).",
    ),
    # history
    "roster.history": ("Lịch sử thay đổi", "History of changes"),
    "roster.history.none": ("Chưa có thay đổi.", "No changes yet."),
    "roster.history.create": ("{who} thêm {name}", "{who} added {name}"),
    "roster.history.update": ("{who} sửa {name}: {fields}", "{who} changed {name}: {fields}"),
    "roster.history.import": ("{who} nhập {name} từ tệp", "{who} imported {name} from a file"),
    "roster.field.full_name": ("họ tên", "name"),
    "roster.field.status": ("loại đảng viên", "status"),
    "roster.field.exempted": ("miễn sinh hoạt", "exempted"),
    "roster.field.suspended": ("đình chỉ", "suspended"),
    "roster.field.temporarily_attached": ("sinh hoạt tạm thời", "temporarily attached"),
    "roster.field.flag_periods": ("thời gian miễn, đình chỉ, tạm thời", "flag dates"),
    "roster.field.e1a_reasons": ("lý do E1a", "E1a reasons"),
    "roster.field.e1a_periods": ("thời gian E1a", "E1a periods"),
    "roster.field.location": ("nơi ở", "location"),
    "roster.field.group_id": ("tổ đảng", "party group"),
    # import and export
    "roster.import": ("Nhập danh sách từ tệp (CSV, XLSX)", "Import a list (CSV, XLSX)"),
    "roster.import_file": ("Tệp danh sách", "List file"),
    "roster.import_preview": ("Xem trước", "Preview"),
    "roster.import_confirm": ("Xác nhận nhập {count} dòng", "Confirm importing {count} rows"),
    "roster.import_mapping": ("Ghép cột", "Column mapping"),
    "roster.import_unmapped": ("(không dùng)", "(not used)"),
    "roster.import_ok": (
        "Tệp hợp lệ: {new} đảng viên mới, {updated} cập nhật. Chưa có gì được ghi cho đến "
        "khi bí thư xác nhận.",
        "The file is valid: {new} new members, {updated} updates. Nothing is written until "
        "the secretary confirms.",
    ),
    "roster.import_bad": (
        "Tệp có {count} dòng lỗi; không có gì được ghi. Hãy sửa tệp rồi xem trước lại.",
        "The file has {count} rows in error; nothing was written. Fix the file and preview again.",
    ),
    "roster.import_done": (
        "Đã nhập: {new} đảng viên mới, {updated} cập nhật.",
        "Imported: {new} new members, {updated} updates.",
    ),
    "roster.import_row": ("Dòng {line}", "Row {line}"),
    "roster.import_check": ("Kết quả kiểm tra", "Check"),
    "roster.import_new": ("mới", "new"),
    "roster.import_update": ("cập nhật", "update"),
    "roster.import_unchanged": ("không đổi", "unchanged"),
    "roster.export_csv": ("Xuất CSV", "Export CSV"),
    "roster.export_xlsx": ("Xuất XLSX", "Export XLSX"),
    "roster.err.file_kind": (
        "Chỉ nhận tệp CSV hoặc XLSX.",
        "Only CSV or XLSX files are accepted.",
    ),
    "roster.err.file_unreadable": (
        "Không đọc được tệp ({detail}).",
        "The file could not be read ({detail}).",
    ),
    "roster.err.file_empty": ("Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
    "roster.err.too_many_rows": (
        "Tệp có quá nhiều dòng (tối đa {max}).",
        "The file has too many rows (at most {max}).",
    ),
    "roster.err.no_name_column": (
        "Chưa ghép cột «Họ và tên».",
        "The «Full name» column is not mapped.",
    ),
    "roster.err.name_missing": ("thiếu họ và tên", "the full name is missing"),
    "roster.err.name_too_long": ("họ và tên quá dài", "the full name is too long"),
    "roster.err.name_twice": (
        "họ và tên «{name}» đã có ở dòng {line}",
        "the full name «{name}» already appears on row {line}",
    ),
    "roster.err.status": (
        "loại đảng viên «{value}» không hợp lệ (chính thức hoặc dự bị)",
        "status «{value}» is not valid (full or probationary)",
    ),
    "roster.err.flag": (
        "cột «{column}»: «{value}» không hợp lệ (có/không)",
        "column «{column}»: «{value}» is not valid (yes/no)",
    ),
    "roster.err.reason": (
        "lý do E1a «{value}» không có trong danh mục",
        "E1a reason «{value}» is not in the list",
    ),
    "roster.err.date": (
        "cột «{column}»: ngày «{value}» không hợp lệ (dd/mm/yyyy)",
        "column «{column}»: date «{value}» is not valid (dd/mm/yyyy)",
    ),
    "roster.err.date_order": (
        "ngày kết thúc trước ngày bắt đầu",
        "the end date is before the start date",
    ),
    "roster.err.period_without_reason": (
        "có thời gian E1a nhưng không có lý do E1a",
        "an E1a period without an E1a reason",
    ),
    "roster.err.group": (
        "tổ đảng «{value}» không có trong chi bộ",
        "party group «{value}» is not in this cell",
    ),
    "roster.err.location_too_long": ("nơi ở quá dài", "the location is too long"),
    "roster.err.rows": (
        "Tệp có dòng lỗi; không có gì được ghi.",
        "The file has rows in error; nothing was written.",
    ),
    # accounts and enrolment
    "roster.accounts": ("Tài khoản", "Accounts"),
    "roster.account.none": ("Chưa có tài khoản", "No account"),
    "roster.account.invited": ("Đã mời, chưa đăng ký", "Invited, not enrolled"),
    "roster.account.active": ("Đang dùng", "Active"),
    "roster.account.locked": ("Đã khóa", "Locked"),
    "roster.account.reset": ("Chờ đăng ký lại yếu tố thứ hai", "Due to enrol a new second factor"),
    "roster.account.invite": ("Mời đăng ký", "Invite to enrol"),
    "roster.account.username": ("Tên đăng nhập", "Username"),
    "roster.account.link": (
        "Đường dẫn đăng ký (dùng một lần, hết hạn {expires}): gửi riêng cho đảng viên.",
        "Enrolment link (single use, expires {expires}): send it to the member privately.",
    ),
    "roster.account.reset_factor": ("Đặt lại yếu tố thứ hai", "Reset the second factor"),
    "roster.account.lock": ("Khóa", "Lock"),
    "roster.account.unlock": ("Mở khóa", "Unlock"),
    "roster.account.signout_all": ("Đăng xuất mọi nơi", "Sign out everywhere"),
    "roster.account.done_reset": (
        "Đã đặt lại; đảng viên sẽ đăng ký yếu tố mới ở lần đăng nhập tới.",
        "Reset; the member enrols a new factor at next sign-in.",
    ),
    "roster.account.done_lock": ("Đã khóa tài khoản.", "The account is locked."),
    "roster.account.done_unlock": ("Đã mở khóa tài khoản.", "The account is unlocked."),
    "roster.account.done_signout": (
        "Đã đăng xuất {count} phiên.",
        "{count} sessions signed out.",
    ),
    "roster.stepup_help": (
        "Thao tác này cần xác thực lại yếu tố thứ hai của chính bạn.",
        "This needs your own second factor again.",
    ),
    "roster.account.no_member_account": (
        "Đảng viên này chưa có tài khoản.",
        "This member has no account.",
    ),
    "roster.account.username_taken": (
        "Tên đăng nhập «{username}» đã được dùng.",
        "The username «{username}» is taken.",
    ),
    "roster.account.already_enrolled": (
        "Tài khoản đã đăng ký; muốn đăng ký lại hãy đặt lại yếu tố thứ hai.",
        "The account is enrolled already; reset its second factor to enrol again.",
    ),
    # the enrolment page
    "enrol.title": ("Đăng ký tài khoản", "Enrol your account"),
    "enrol.welcome": (
        "Chào {name}. Tên đăng nhập của bạn: {username}.",
        "Welcome, {name}. Your username: {username}.",
    ),
    "enrol.invalid": (
        "Đường dẫn đăng ký không dùng được (sai, đã dùng hoặc đã hết hạn). Hãy xin đường dẫn "
        "mới từ bí thư hoặc quản trị.",
        "This enrolment link cannot be used (wrong, used or expired). Ask the secretary or "
        "the administrator for a new one.",
    ),
    "enrol.password": ("Mật khẩu mới (ít nhất 12 ký tự)", "New password (at least 12 characters)"),
    "enrol.password_again": ("Nhập lại mật khẩu", "Password again"),
    "enrol.password_mismatch": ("Hai mật khẩu không khớp.", "The passwords differ."),
    "enrol.set_password": ("Đặt mật khẩu", "Set the password"),
    "enrol.factor_title": ("Yếu tố xác thực thứ hai", "Second factor"),
    "enrol.done": (
        "Đăng ký xong. Hãy cất giữ mã khôi phục ở nơi an toàn: chúng chỉ hiện một lần.",
        "Enrolled. Keep the recovery codes somewhere safe: they are shown only once.",
    ),
    "enrol.continue": ("Tiếp tục", "Continue"),
    "enrol.factor_reset_notice": (
        "Quản trị đã đặt lại yếu tố xác thực thứ hai của bạn. Hãy đăng ký yếu tố mới.",
        "The administrator reset your second factor. Enrol a new one.",
    ),
}
