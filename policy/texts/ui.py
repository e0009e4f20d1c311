"""Translation table part: ui. Keys are 'ui.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # --- server: refusals of the live-meeting WebSocket (server/meeting, server/http/ws.py)
    "ui.live.what_meeting": ("cuộc họp", "the meeting"),
    "ui.live.meeting_closed": (
        "Cuộc họp đã kết thúc hoặc đã bị huỷ, không thể tham gia nữa.",
        "The meeting has ended or was cancelled; it can no longer be joined.",
    ),
    "ui.live.not_your_meeting": (
        "Bạn không thuộc chi bộ của cuộc họp này nên không thể tham gia.",
        "You are not in this meeting's party cell, so you cannot join it.",
    ),
    "ui.live.bad_offer": ("offer SDP không dùng được", "the SDP offer cannot be used"),
    "ui.live.offer_first": ("cần gửi offer trước", "send an offer first"),
    "ui.live.join_timeout": (
        "Không nhận được yêu cầu tham gia kịp thời; kết nối được đóng.",
        "No join request arrived in time; the connection is closed.",
    ),
    "ui.live.hosted_elsewhere": (
        "Cuộc họp đang diễn ra trên một máy chủ khác của hệ thống. Trang sẽ tự kết nối lại.",
        "The meeting is live on another server of the system. The page will reconnect by itself.",
    ),
    "ui.live.node_full": (
        "Các máy chủ của hệ thống đã đủ số cuộc họp có thể phục vụ tốt lúc này. Vui lòng thử "
        "lại sau ít phút hoặc báo quản trị viên.",
        "The system's servers host as many meetings as they can serve well right now. Please "
        "try again in a few minutes or tell the administrator.",
    ),
    "ui.live.server_closing": (
        "Máy chủ đang khởi động lại. Trang sẽ tự kết nối lại.",
        "The server is restarting. The page will reconnect by itself.",
    ),
    "ui.live.meeting_ended": (
        "Cuộc họp đã kết thúc. Chủ trì đã bế mạc cuộc họp.",
        "The meeting has ended. The chair has closed it.",
    ),
    # --- browser client: web_client/meeting.html and js/
    "ui.meeting.title": ("Cuộc họp chi bộ", "Party cell meeting"),
    "ui.meeting.room_title": ("Màn hình phòng họp", "Meeting hall screen"),
    "ui.lang.switch": ("English", "Tiếng Việt"),
    "ui.join.heading": ("Chuẩn bị tham gia", "Get ready to join"),
    "ui.join.hint": (
        "Kiểm tra camera và micro trước khi vào. Trên đường truyền yếu (tàu biển, vệ tinh), "
        "chọn «Chỉ âm thanh».",
        "Check your camera and microphone before joining. On a thin link (ship, satellite), "
        "choose “Audio only”.",
    ),
    "ui.join.button": ("Tham gia cuộc họp", "Join the meeting"),
    "ui.join.audio_only": ("Chỉ âm thanh (đường truyền yếu)", "Audio only (thin link)"),
    "ui.join.no_devices": (
        "Không mở được camera hoặc micro: {error}. Bạn vẫn có thể tham gia để nghe và xem.",
        "Could not open the camera or microphone: {error}. You can still join to listen and watch.",
    ),
    "ui.status.connecting": ("Đang kết nối tới máy chủ…", "Connecting to the server…"),
    "ui.status.lobby": (
        "Bạn đang ở phòng chờ. Vui lòng đợi chủ trì cho vào cuộc họp…",
        "You are in the lobby. Please wait for the chair to let you in…",
    ),
    "ui.status.media": (
        "Đã vào cuộc họp. Đang kết nối âm thanh và hình ảnh…",
        "You are in. Connecting audio and video…",
    ),
    "ui.status.connected": ("Đã kết nối.", "Connected."),
    "ui.status.ice_restart": (
        "Mạng chập chờn. Đang thử kết nối lại âm thanh và hình ảnh…",
        "The network is unstable. Trying to reconnect audio and video…",
    ),
    "ui.status.rejoining": (
        "Mất kết nối tới máy chủ. Đang tham gia lại (lần {attempt})…",
        "Lost the connection to the server. Rejoining (attempt {attempt})…",
    ),
    "ui.status.left": ("Bạn đã rời cuộc họp.", "You have left the meeting."),
    "ui.status.ended": (
        "Cuộc họp đã kết thúc. Bạn có thể đóng trang này.",
        "The meeting has ended. You can close this page.",
    ),
    "ui.status.denied": ("Bạn không được vào cuộc họp: {reason}", "You were not let in: {reason}"),
    "ui.status.removed": ("Bạn đã được mời ra: {reason}", "You were removed: {reason}"),
    "ui.status.signin": (
        "Bạn cần đăng nhập. Đang chuyển tới trang đăng nhập…",
        "You need to sign in. Going to the sign-in page…",
    ),
    "ui.status.refused": ("Không thể tham gia: {reason}", "Cannot join: {reason}"),
    "ui.status.muted_by_chair": (
        "Chủ trì đã tắt micro của bạn.",
        "The chair has muted your microphone.",
    ),
    "ui.controls.mute": ("Tắt micro", "Mute"),
    "ui.controls.unmute": ("Bật micro", "Unmute"),
    "ui.controls.camera_off": ("Tắt camera", "Camera off"),
    "ui.controls.camera_on": ("Bật camera", "Camera on"),
    "ui.controls.audio_only_on": ("Chỉ âm thanh", "Audio only"),
    "ui.controls.audio_only_off": ("Nhận cả hình ảnh", "Receive video"),
    "ui.controls.raise_hand": ("Giơ tay phát biểu", "Raise hand"),
    "ui.controls.lower_hand": ("Hạ tay", "Lower hand"),
    "ui.controls.leave": ("Rời cuộc họp", "Leave"),
    "ui.controls.lock": ("Khoá phòng họp", "Lock the meeting"),
    "ui.controls.unlock": ("Mở khoá phòng họp", "Unlock the meeting"),
    "ui.people.heading": ("Người tham dự ({count})", "Participants ({count})"),
    "ui.people.waiting": ("Phòng chờ ({count})", "Lobby ({count})"),
    "ui.people.you": ("(bạn)", "(you)"),
    "ui.people.admit": ("Cho vào", "Admit"),
    "ui.people.deny": ("Từ chối", "Deny"),
    "ui.people.mute": ("Tắt micro", "Mute"),
    "ui.people.remove": ("Mời ra", "Remove"),
    "ui.people.speaking": ("đang nói", "speaking"),
    "ui.people.muted": ("micro tắt", "muted"),
    "ui.people.hand": ("giơ tay", "hand raised"),
    "ui.people.chair": ("chủ trì", "chair"),
    "ui.people.observer": ("cấp ủy cấp trên dự", "superior-committee observer"),
    "ui.people.room_device": ("phòng họp", "meeting hall"),
    "ui.people.in_room": ("có mặt tại phòng họp", "present in the hall"),
    "ui.people.lost": ("mất kết nối", "connection lost"),
    "ui.quality.label": (
        "Kết nối: {quality} · trễ {rtt} ms · mất gói {loss}%",
        "Link: {quality} · delay {rtt} ms · loss {loss}%",
    ),
    "ui.quality.good": ("tốt", "good"),
    "ui.quality.fair": ("trung bình", "fair"),
    "ui.quality.poor": ("kém", "poor"),
    "ui.quality.unknown": ("chưa rõ", "unknown"),
    # what the relay's adaptation leaves of the video this member receives (``slots.link``)
    "ui.link.fewer_videos": (
        "Đường truyền hạn chế — đang nhận ít hình ảnh hơn",
        "Limited connection — receiving fewer videos",
    ),
    "ui.link.low_frame_rate": (
        "Đường truyền yếu — hình ảnh được giảm số khung hình",
        "Weak connection — video at a reduced frame rate",
    ),
    "ui.link.audio_only": (
        "Đường truyền yếu — đang chỉ nhận âm thanh",
        "Weak connection — receiving audio only",
    ),
    "ui.people.weak": ("đường truyền kém", "poor link"),
    "ui.meeting.locked": ("Phòng họp đã khoá", "The meeting is locked"),
    "ui.meeting.recording": ("● Đang ghi hình", "● Recording"),
    "ui.video.you": ("Hình của bạn", "Your camera"),
    "ui.status.replaced": (
        "Đồng chí đã vào cuộc họp từ một thiết bị khác; trang này đã ngừng kết nối.",
        "You joined the meeting from another device; this page has disconnected.",
    ),
    "ui.controls.vote": ("Biểu quyết", "Vote"),
    "ui.controls.chat": ("Trao đổi", "Chat"),
    # --- meeting chat and the presented document (web_client/js/chat.js, presenting.js)
    "ui.notebook.heading": ("Sổ tay ghi chép của tôi", "My notebook"),
    "ui.notebook.label": ("Ghi chép riêng về cuộc họp này", "Private notes on this meeting"),
    "ui.notebook.save": ("Lưu ghi chép", "Save notes"),
    "ui.notebook.saved": ("Đã lưu lúc {at}.", "Saved at {at}."),
    "ui.notebook.failed": (
        "Chưa lưu được ghi chép. Vui lòng thử lại.",
        "The notes were not saved. Please try again.",
    ),
    "ui.notebook.hint": (
        "Chỉ mình đồng chí đọc được; được mã hoá khi lưu. Đoàn kiểm tra chỉ xem khi đồng chí nộp "
        "(S2).",
        "Only you can read them; they are encrypted when saved. An inspection sees them only if "
        "you hand them in (S2).",
    ),
    "ui.notebook.inspection": (
        "Nộp cho cuộc kiểm tra của cấp ủy cấp trên (S2)",
        "Hand in to the superior committee's inspection (S2)",
    ),
    "ui.notebook.inspection_item": (
        "Kiểm tra từ {from} đến {to} — {committee}",
        "Inspection from {from} to {to} — {committee}",
    ),
    "ui.notebook.hand_in": ("Nộp ghi chép cho cuộc kiểm tra", "Hand in the notes"),
    "ui.notebook.handed": (
        "Đã nộp cho cuộc kiểm tra lúc {at}; đoàn kiểm tra đọc được bản đã nộp.",
        "Handed in at {at}; the inspection can read them.",
    ),
    "ui.chat.heading": ("Trao đổi bằng tin nhắn", "Chat"),
    "ui.chat.label": ("Tin nhắn gửi cả cuộc họp", "Message to the whole meeting"),
    "ui.chat.placeholder": ("Nhập tin nhắn…", "Type a message…"),
    "ui.chat.send": ("Gửi", "Send"),
    "ui.chat.none": ("Chưa có tin nhắn.", "No messages yet."),
    "ui.chat.hint": (
        "Tin nhắn được lưu mã hoá; biên bản chỉ ghi số tin nhắn, không ghi nội dung.",
        "Messages are stored encrypted; the minutes count them and never quote them.",
    ),
    "ui.present.heading": (
        "Đang trình chiếu: {filename} — trang {page}/{pages}",
        "Presenting: {filename} — page {page} of {pages}",
    ),
    "ui.present.alt": ("Trang {page} của tài liệu {filename}", "Page {page} of {filename}"),
    "ui.people.lost_at": ("mất kết nối lúc {time}", "connection lost at {time}"),
    # --- the conduct panel of the meeting page (web_client/js/meeting-conduct.js)
    "ui.item.heading": ("Nội dung đang thảo luận", "Item under discussion"),
    "ui.item.documents": ("Tài liệu cuộc họp", "Meeting documents"),
    "ui.vote.heading": ("Biểu quyết", "Vote"),
    "ui.vote.open": ("đang biểu quyết", "voting now"),
    "ui.vote.closed": ("đã kết thúc", "closed"),
    "ui.vote.choose": (
        "Đồng chí chọn một ý kiến; có thể đổi đến khi kết thúc biểu quyết.",
        "Choose one; you may change it until the vote closes.",
    ),
    "ui.vote.watch": (
        "Chỉ đảng viên chính thức dự họp trực tuyến biểu quyết trên trang này (A4).",
        "Only full members attending online vote on this page (A4).",
    ),
    "ui.vote.recorded": (
        "Phiếu của đồng chí đã được ghi nhận: {choice}.",
        "Your vote is recorded: {choice}.",
    ),
    "ui.vote.rules": ("Căn cứ: {rules}", "Basis: {rules}"),
    "ui.speakers.heading": ("Đăng ký phát biểu", "Speakers' list"),
    # --- a closed meeting's page (web_client/js/meeting-ended.js)
    "ui.ended.heading": ("Cuộc họp đã kết thúc", "The meeting has ended"),
    "ui.ended.at": ("Cuộc họp kết thúc lúc {time}.", "The meeting ended at {time}."),
    "ui.ended.cancelled": ("Cuộc họp đã bị huỷ.", "The meeting was cancelled."),
    "ui.ended.minutes": (
        "Biên bản đã được thông qua lúc {time} (M1).",
        "The minutes were adopted at {time} (M1).",
    ),
    "ui.ended.no_minutes": (
        "Biên bản chưa được thông qua.",
        "The minutes have not been adopted yet.",
    ),
    "ui.ended.docx": ("Tải biên bản (DOCX)", "Download the minutes (DOCX)"),
    "ui.ended.pdf": ("Tải biên bản (PDF)", "Download the minutes (PDF)"),
    "ui.ended.home": ("Về trang chủ", "Back to the home page"),
}
