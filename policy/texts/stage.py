"""Translation table part: the video stage (screen sharing, speaker view and grid, choosing the
microphone and camera). Keys are 'media.screen.*' (refusals of the room), 'ui.screen.*',
'ui.layout.*', 'ui.devices.*' (the member page) and 'chair.screen.*', 'chair.video.*' (the chair
console); values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # --- refusals of share_screen (signaling/room.py)
    "media.screen.not_allowed": (
        "Chủ trì chưa cho phép bạn chia sẻ màn hình.",
        "The chair has not allowed you to share your screen.",
    ),
    "media.screen.busy": (
        "{name} đang chia sẻ màn hình. Hãy chờ người đó dừng lại.",
        "{name} is sharing a screen. Wait until they stop.",
    ),
    # --- member page: screen sharing
    "ui.screen.share": ("Chia sẻ màn hình", "Share screen"),
    "ui.screen.stop": ("Dừng chia sẻ", "Stop sharing"),
    "ui.screen.of": ("Màn hình của {name}", "{name}'s screen"),
    "ui.screen.sharing": ("Bạn đang chia sẻ màn hình.", "You are sharing your screen."),
    "ui.screen.allowed": (
        "Chủ trì đã cho phép bạn chia sẻ màn hình.",
        "The chair has allowed you to share your screen.",
    ),
    "ui.screen.withdrawn": (
        "Chủ trì đã thu hồi quyền chia sẻ màn hình của bạn.",
        "The chair has withdrawn your permission to share your screen.",
    ),
    "ui.screen.failed": (
        "Không chia sẻ được màn hình ({error}).",
        "Could not share the screen ({error}).",
    ),
    "ui.screen.refused": ("Không chia sẻ được màn hình: {reason}", "Screen not shared: {reason}"),
    "ui.people.sharing": ("đang chia sẻ màn hình", "sharing a screen"),
    # --- member page: layout
    "ui.layout.to_grid": ("Xem dạng lưới", "Grid view"),
    "ui.layout.to_speaker": ("Xem người nói", "Speaker view"),
    # --- member page: microphone and camera
    "ui.devices.heading": ("Micro và camera", "Microphone and camera"),
    "ui.devices.mic": ("Micro", "Microphone"),
    "ui.devices.camera": ("Camera", "Camera"),
    "ui.devices.level": ("Mức âm thanh của micro", "Microphone level"),
    "ui.devices.hint": (
        "Hãy nói thử: thanh mức âm phải nhảy lên.",
        "Say something: the level bar should move.",
    ),
    "ui.devices.unnamed": ("Thiết bị {n}", "Device {n}"),
    "ui.devices.none": ("Không dùng", "None"),
    "ui.devices.button": ("Micro, camera", "Mic, camera"),
    "ui.devices.close": ("Đóng", "Close"),
    "ui.devices.switched": ("Đã chuyển sang {name}.", "Switched to {name}."),
    "ui.devices.failed": (
        "Không mở được thiết bị đã chọn ({error}).",
        "Could not open the chosen device ({error}).",
    ),
    # --- chair console
    "chair.screen.allow": ("Cho chia sẻ màn hình", "Allow screen sharing"),
    "chair.screen.withdraw": ("Thu hồi chia sẻ màn hình", "Withdraw screen sharing"),
    "chair.screen.sharing": ("đang chia sẻ màn hình", "sharing a screen"),
    "chair.video.heading": ("Hình ảnh cuộc họp", "Meeting video"),
    "chair.video.hall": ("Hội trường", "The hall"),
    "chair.video.speaker": ("Người đang phát biểu", "Speaking now"),
    "chair.video.screen": ("Màn hình được chia sẻ", "Shared screen"),
    "chair.video.none": ("Chưa có hình", "No picture yet"),
}
