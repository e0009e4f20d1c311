"""Translation table part: records. Keys are 'records.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "records.already_recording": (
        "Cuộc họp đang được ghi hình.",
        "The meeting is already being recorded.",
    ),
    "records.not_with_workers": (
        "Máy chủ này chưa ghi hình được khi âm thanh và hình ảnh chạy trên nhiều tiến trình"
        " chuyển tiếp (media.workers). Hãy báo quản trị viên.",
        "This server cannot record yet while media runs over several relay processes"
        " (media.workers). Tell the administrator.",
    ),
    "records.not_recording": (
        "Cuộc họp không được ghi hình.",
        "The meeting is not being recorded.",
    ),
    "records.unreadable": (
        "Bản ghi không đọc được (đã bị xóa khóa, bị cắt hoặc bị sửa đổi).",
        "The recording cannot be read (its key was destroyed, or it was cut or altered).",
    ),
    "records.document.key_destroyed": (
        "Tài liệu không còn đọc được: khóa mã hóa của tài liệu đã bị hủy.",
        "The document can no longer be read: its encryption key was destroyed.",
    ),
    "records.document.unreadable": (
        "Tài liệu đã lưu không đọc được (bị sửa đổi, bị chuyển chỗ hoặc sai khóa).",
        "The stored document cannot be read (it was altered or moved, or its key does not match).",
    ),
    "records.extract_failed": (
        "Không lập được trích xuất: có bản ghi nhật ký không hợp lệ.",
        "The extract could not be made: an audit record does not verify.",
    ),
    "records.recording_on": ("Đang ghi hình cuộc họp", "This meeting is being recorded"),
    "records.play_denied": (
        "Bạn không có quyền xem lại bản ghi cuộc họp: quyền này được cấp riêng, không đi kèm quyền"
        " chủ trì (R7). Lần từ chối này đã được ghi vào nhật ký truy cập.",
        "You may not list or play back the meeting's recordings: this permission is granted on its"
        " own, not with chairing (R7). This refusal has been written to the access log.",
    ),
    "records.officer.title": ("Nhật ký truy cập — cán bộ an ninh", "Access log — security officer"),
    "records.officer.stepup": (
        "Xác thực lại bằng mã 6 số (yếu tố thứ hai) để mở nhật ký.",
        "Re-authenticate with your 6-digit second-factor code to open the log.",
    ),
    "records.officer.code": ("Mã xác thực", "Authentication code"),
    "records.officer.confirm": ("Xác nhận", "Confirm"),
    "records.officer.search": ("Tìm kiếm", "Search"),
    "records.officer.member": (
        "Đảng viên (họ tên, tên đăng nhập hoặc số tài khoản)",
        "Member (name, username or account number)",
    ),
    "records.officer.meeting": ("Cuộc họp (số)", "Meeting (id)"),
    "records.officer.action": ("Hành động", "Action"),
    "records.officer.since": ("Từ", "From"),
    "records.officer.until": ("Đến", "Until"),
    "records.officer.seq": ("Số thứ tự", "Seq"),
    "records.officer.time": ("Thời điểm (giờ Việt Nam)", "Time (Vietnam)"),
    "records.officer.actor": ("Người thực hiện", "Actor"),
    "records.officer.target": ("Đối tượng", "Target"),
    "records.officer.details": ("Chi tiết", "Details"),
    "records.officer.verify": ("Kiểm tra toàn vẹn", "Integrity check"),
    "records.officer.verified": (
        "Nhật ký toàn vẹn: {rows} bản ghi đã kiểm tra.",
        "Log intact: {rows} records checked.",
    ),
    "records.officer.broken": (
        "Nhật ký bị can thiệp: bản ghi số {seq} ({kind}).",
        "Log tampered with: record {seq} ({kind}).",
    ),
    "records.officer.checkpoint": (
        "Điểm kiểm tra mới nhất: {size} bản ghi, ký bởi {signer}.",
        "Latest checkpoint: {size} records, signed by {signer}.",
    ),
    "records.officer.no_checkpoint": ("Chưa có điểm kiểm tra.", "No checkpoint yet."),
    "records.officer.public_key": ("Khóa công khai để lưu giữ", "Public key to keep"),
    "records.officer.export": ("Xuất trích lục có chữ ký", "Export signed extract"),
    "records.officer.purpose": ("Mục đích trích lục", "Purpose of the extract"),
    "records.officer.more": ("Xem thêm", "More"),
    "records.officer.select_all": ("Chọn tất cả", "Select all"),
    "records.officer.select_row": ("Chọn bản ghi này để trích lục", "Select this record to export"),
    "records.officer.none": ("Không có bản ghi phù hợp.", "No matching records."),
    "records.officer.no_content": (
        "Cán bộ an ninh không xem được nội dung cuộc họp và bản ghi hình.",
        "Security officers never see meeting content or recordings.",
    ),
    "records.officer.language": ("English", "Tiếng Việt"),
    "records.officer.tab_log": ("Nhật ký truy cập", "Access log"),
    "records.officer.tab_accounts": ("Sự kiện tài khoản", "Account events"),
    "records.officer.accounts_note": (
        "Mời đăng ký, đăng ký, yếu tố xác thực thứ hai (thêm, gỡ, đặt lại và các lần bị từ chối),"
        " khoá/mở khoá, đăng xuất mọi nơi, cấp vai trò. Không bao giờ hiện mật khẩu, mã bí mật"
        " TOTP, mã khôi phục hay liên kết đăng ký.",
        "Enrolment invitations, enrolments, second factors (added, removed, reset, and refusals),"
        " locks/unlocks, sign-out everywhere, roles granted. Passwords, TOTP secrets, recovery"
        " codes and enrolment links are never shown.",
    ),
    "records.officer.event": ("Sự việc", "Event"),
    "records.officer.subject": ("Tài khoản liên quan", "Account concerned"),
    "records.officer.anonymous": ("(chưa đăng nhập)", "(not signed in)"),
    "records.officer.system": ("(hệ thống)", "(system)"),
    "records.officer.cli": ("(dòng lệnh máy chủ)", "(server command line)"),
    "records.officer.event.invite": ("Mời đăng ký tài khoản", "Invited to enrol"),
    "records.officer.event.invite_refused": (
        "Bị từ chối mời đăng ký",
        "Enrolment invitation refused",
    ),
    "records.officer.event.enrol_password": (
        "Đăng ký: đặt mật khẩu qua liên kết",
        "Enrolment: password set through the link",
    ),
    "records.officer.event.enrol_rejected": (
        "Liên kết đăng ký không dùng được",
        "Enrolment link refused",
    ),
    "records.officer.event.factor_add": (
        "Đăng ký yếu tố xác thực thứ hai",
        "Second factor enrolled",
    ),
    "records.officer.event.factor_remove": (
        "Gỡ yếu tố xác thực thứ hai",
        "Second factor removed",
    ),
    "records.officer.event.recovery_used": ("Dùng mã khôi phục", "Recovery code used"),
    "records.officer.event.factor_reset": (
        "Đặt lại yếu tố xác thực thứ hai (quản trị viên đã xác thực lại)",
        "Second factor reset (administrator re-authenticated)",
    ),
    "records.officer.event.factor_reset_no_step_up": (
        "Từ chối đặt lại yếu tố thứ hai: quản trị viên chưa xác thực lại",
        "Second-factor reset refused: administrator had not re-authenticated",
    ),
    "records.officer.event.factor_reset_refused": (
        "Từ chối đặt lại yếu tố thứ hai: không có quyền",
        "Second-factor reset refused: no permission",
    ),
    "records.officer.event.account_refused": (
        "Bị từ chối thao tác trên tài khoản",
        "Account action refused",
    ),
    "records.officer.event.lock": ("Khoá tài khoản", "Account locked"),
    "records.officer.event.unlock": ("Mở khoá tài khoản", "Account unlocked"),
    "records.officer.event.throttle_lock": (
        "Tạm khoá do đăng nhập sai nhiều lần",
        "Locked for a while after repeated failed sign-ins",
    ),
    "records.officer.event.signout_all_admin": (
        "Đăng xuất mọi nơi (do quản trị viên)",
        "Signed out everywhere (by an administrator)",
    ),
    "records.officer.event.signout_all_self": (
        "Tự đăng xuất mọi nơi",
        "Signed out everywhere (own request)",
    ),
    "records.officer.event.password_change": ("Đổi mật khẩu", "Password changed"),
    "records.officer.event.role_grant": ("Cấp vai trò", "Role granted"),
    **{
        f"records.officer.detail.{k}": v
        for k, v in {
            "kind": ("loại", "kind"),
            "removed": ("số yếu tố đã gỡ", "factors removed"),
            "sessions_ended": ("số phiên bị kết thúc", "sessions ended"),
            "sessions": ("số phiên", "sessions"),
            "hours": ("hiệu lực (giờ)", "valid (hours)"),
            "reason": ("lý do", "reason"),
            "next": ("bước tiếp", "next step"),
            "role": ("vai trò", "role"),
            "org": ("tổ chức số", "organisation"),
            "member": ("đảng viên số", "member"),
            "scope": ("phạm vi", "scope"),
            "minutes": ("số phút", "minutes"),
            "left": ("mã khôi phục còn lại", "recovery codes left"),
            "permission": ("quyền", "permission"),
            "address": ("địa chỉ IP", "IP address"),
        }.items()
    },
}
