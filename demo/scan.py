"""Pictures of a report as agencies publish them: the three tables as images on a web page, or
the whole report as a scanned PDF (printed, stamped, scanned a little crooked).

Rendered from the report dicts the demo knows (demo.render's HTML, through headless Chromium),
then rasterised, tilted, speckled, stamped and blurred, so the OCR tests know every cell.
Needs /usr/bin/chromium (make system-deps) and requirements-dev.txt; used by demo/build_sites.py.
"""
from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

from demo.render import active_table, appeals_table, applications_table, report_body

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_STYLE = ('<style>body{margin:24px;font-family:"WenQuanYi Zen Hei";font-size:15px;background:#fff}'
          "table{border-collapse:collapse;margin:8px 0}td{border:1px solid #000;padding:3px 6px;text-align:center}"
          "p{margin:6px 0;line-height:1.6} h1{font-size:20px;text-align:center}</style>")
_CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def _chromium(html: str, suffix: str, *args: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "page.html", Path(tmp) / f"out.{suffix}"
        page.write_text(f'<html><head><meta charset="utf-8">{_STYLE}</head><body>{html}</body></html>', encoding="utf-8")
        subprocess.run([*_CHROMIUM, f"--user-data-dir={tmp}/profile", *[a.replace("OUT", str(out)) for a in args],
                        page.as_uri()], check=True, capture_output=True, timeout=120)
        return out.read_bytes()


def _screenshot(html: str):
    from PIL import Image, ImageChops
    image = Image.open(io.BytesIO(_chromium(html, "png", "--window-size=1300,2400", "--screenshot=OUT"))).convert("RGB")
    ink = ImageChops.invert(image.convert("L")).getbbox()
    left, top, right, bottom = ink
    return image.crop((max(0, left - 30), max(0, top - 30), min(image.width, right + 30), min(image.height, bottom + 30)))


def _stamp(image, center, radius, colour):
    """A round official seal over part of the table, drawn in `colour` with some transparency."""
    from PIL import Image, ImageDraw, ImageFont
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    x, y = center
    for width in range(4):
        draw.ellipse((x - radius + width, y - radius + width, x + radius - width, y + radius - width), outline=colour + (150,))
    font = ImageFont.truetype(FONT, radius // 3)
    draw.text((x, y), "★", fill=colour + (150,), font=font, anchor="mm")
    draw.text((x, y + radius // 2), "办公室", fill=colour + (150,), font=ImageFont.truetype(FONT, radius // 5), anchor="mm")
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def degrade(image, seed: int, *, angle: float, speckle: float = 0.0015, blur: float = 0.6, stamp=None):
    """Tilt by `angle` degrees, add salt-and-pepper speckle, an optional seal and a light blur."""
    from PIL import Image, ImageFilter
    rnd = random.Random(seed)
    if stamp:
        image = _stamp(image, *stamp)
    image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    pixels = image.load()
    width, height = image.size
    for _ in range(int(width * height * speckle)):
        shade = rnd.choice((0, 40, 90))
        pixels[rnd.randrange(width), rnd.randrange(height)] = (shade, shade, shade)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def table_images(report: dict, seed: int) -> list[tuple[str, bytes]]:
    """The report's three tables as pictures, each tilted a little: (file name, bytes). Table 二 a
    grayscale JPEG, table 三 a colour JPEG with a red seal over it, table 四 a grayscale PNG."""
    tables = [active_table(report["active"], report["template"]),
              applications_table(report["applications"], report["template"]), appeals_table(report["appeals"])]
    out = []
    for n, html in enumerate(tables):
        image = _screenshot(html)
        seal = ((image.width * 2 // 3, image.height // 2), 90, (220, 30, 30)) if n == 1 else None
        image = degrade(image, seed + n, angle=(-1.2, 0.8, 1.5)[n], stamp=seal, speckle=0.0008)
        buffer = io.BytesIO()
        if n == 2:
            image.convert("L").save(buffer, "PNG", optimize=True)
        else:
            (image if n == 1 else image.convert("L")).save(buffer, "JPEG", quality=85)
        out.append((f"table{n + 2}.{'png' if n == 2 else 'jpg'}", buffer.getvalue()))
    return out


def scanned_pdf(report: dict, prose: list[str], seed: int, dpi: int = 150) -> bytes:
    """The report printed to PDF, rasterised at `dpi`, scanned crooked and stamped: image-only pages."""
    import pypdfium2
    printed = _chromium(report_body(report, prose), "pdf", "--no-pdf-header-footer", "--print-to-pdf=OUT")
    pdf = pypdfium2.PdfDocument(printed)
    pages = []
    for n in range(len(pdf)):
        image = pdf[n].render(scale=dpi / 72).to_pil().convert("RGB")
        seal = ((image.width * 3 // 4, image.height * 2 // 3), 110, (120, 120, 120)) if n == len(pdf) - 1 else None
        page = degrade(image, seed + n, angle=(1.4, -0.9, 1.1, -1.6)[n % 4], stamp=seal, speckle=0.0008)
        pages.append(page.convert("L"))
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=60)
    return out.getvalue()
