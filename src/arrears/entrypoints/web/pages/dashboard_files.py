"""Strategies, policy packs and arrangement policies on the dashboard: read any stored
version, upload a new one (the author is the signed-in user), activate one.

An upload with problems shows the form again with the text as typed and every finding
at its line (services.versioned_files.InvalidFile), status 422; nothing is stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from arrears.entrypoints.web.deps import AppDep, ManagerUser
from arrears.entrypoints.web.rendering import page
from arrears.services import managed_files
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.managed_files import FileKind
from arrears.services.versioned_files import InvalidFile

router = APIRouter(include_in_schema=False)

MAX_FILE_BYTES = 1_000_000  # a policy file is a few KiB; this refuses a mistaken upload


def kind_of(kind: str) -> FileKind:
    try:
        return FileKind(kind)
    except ValueError:
        raise NotFound(f"no kind of file named {kind!r}") from None


@router.get("/dashboard/files")
def files(request: Request, app: AppDep, user: ManagerUser) -> Response:
    listed = {kind: managed_files.list_files(app.uow_factory, kind) for kind in FileKind}
    return page(
        request, "dashboard/files.html", listed=listed, done=request.query_params.get("done")
    )


@router.get("/dashboard/files/{kind}/{name}")
def show(
    request: Request, app: AppDep, user: ManagerUser, kind: str, name: str,
    version: int | None = None,
) -> Response:  # fmt: skip
    shown = managed_files.show_file(app.uow_factory, kind_of(kind), name, version)
    return page(request, "dashboard/file.html", shown=shown, done=request.query_params.get("done"))


@router.post("/dashboard/files/{kind}")
async def upload(
    request: Request, app: AppDep, user: ManagerUser, kind: str,
    text: Annotated[str, Form(max_length=MAX_FILE_BYTES)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:  # fmt: skip
    chosen = kind_of(kind)
    if upload is not None and upload.filename:
        text = await _read(upload)
    try:
        name, version = managed_files.upload_file(
            app.uow_factory, chosen, text, user.username, app.now()
        )
    except InvalidFile as error:
        return page(
            request, "dashboard/files.html", status_code=422, failed=chosen, text=text,
            findings=error.findings,
            listed={k: managed_files.list_files(app.uow_factory, k) for k in FileKind},
        )  # fmt: skip
    return RedirectResponse(
        f"/dashboard/files/{chosen}/{name}?version={version}&done=uploaded", status_code=303
    )


@router.post("/dashboard/files/{kind}/{name}/activate")
def activate(
    app: AppDep, user: ManagerUser, kind: str, name: str,
    product: Annotated[str, Form(max_length=64)] = "*",
) -> Response:  # fmt: skip
    chosen = kind_of(kind)
    managed_files.activate_file(app.uow_factory, chosen, name, product.strip(), app.now())
    return RedirectResponse(f"/dashboard/files/{chosen}/{name}?done=activated", status_code=303)


async def _read(upload: UploadFile) -> str:
    data = await upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text") from None
