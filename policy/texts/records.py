"""Translation table part: records. Keys are 'records.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "records.already_recording": (
        "Cuộc họp đang được ghi hình.",
        "The meeting is already being recorded.",
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
}
