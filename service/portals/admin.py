"""The administrator's pages: users, their roles and scopes (templates/admin/).

Same service functions and permission checks as the API twins in service/api/users.py.
A refused form comes back at 422 with the entered values and a message at each field.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from service.auth.models import PLACE_ROLES, ROLES
from service.auth.passwords import MIN_PASSWORD_LENGTH
from service.bounds import CodeList, CodeText, FormText, RecordId, SecretText
from service.csrf import verify_csrf
from service.deps import AdminDep, SessionDep
from service.i18n import LANGUAGES, translate
from service.jurisdictions.models import place_names
from service.users import service as users
from service.users.models import UserChange, UserCreate, UserPublic, UserUpdate
from service.users.service import InvalidUser, Problem
from service.web import page_language, render

router = APIRouter(prefix="/admin", include_in_schema=False)
DONE = ("created", "saved")  # the confirmations a redirect may ask the user page to show


class NewUserForm(BaseModel):
    """The new-user form; blanks are allowed here so the service reports them per field."""

    username: FormText = ""
    display_name: FormText = ""
    email: FormText = ""
    role: CodeText = "inspector"
    password: SecretText = ""
    locale: CodeText = "zh-CN"
    jurisdictions: CodeList = []
    employer_uscc: FormText = ""
    committee_code: FormText = ""


class EditUserForm(BaseModel):
    """The user page's form; only the scope field of the user's role is on the page."""

    display_name: FormText = ""
    email: FormText = ""
    locale: CodeText = "zh-CN"
    password: SecretText = ""
    jurisdictions: CodeList = []
    employer_uscc: FormText | None = None
    committee_code: FormText | None = None
    is_active: bool = True

    @classmethod
    def of(cls, user: UserPublic) -> "EditUserForm":
        return cls(
            display_name=user.display_name,
            email=user.email or "",
            locale=user.locale,
            jurisdictions=[place.code for place in user.jurisdictions],
            employer_uscc=user.employer.uscc if user.employer else None,
            committee_code=user.committee.code if user.committee else None,
            is_active=user.is_active,
        )

    def changes(self, role: str) -> UserUpdate:
        # Unticked boxes are not sent at all: for an inspector, none ticked means none.
        return UserUpdate(
            display_name=self.display_name,
            email=self.email,
            locale=self.locale,
            password=self.password or None,
            jurisdictions=self.jurisdictions if role in PLACE_ROLES else None,
            employer_uscc=self.employer_uscc if role == "employer" else None,
            committee_code=self.committee_code if role == "mediator" else None,
            is_active=self.is_active,
        )


@router.get("")
def home(actor: AdminDep) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/users")
def users_page(request: Request, session: SessionDep, actor: AdminDep) -> Response:
    return render(request, "admin/users/list.html", {"users": users.list_users(session=session)})


@router.get("/users/new")
def new_user_page(request: Request, session: SessionDep, actor: AdminDep) -> Response:
    return _new_user_form(request, session, NewUserForm(), {})


@router.post("/users/new", dependencies=[Depends(verify_csrf)])
def create_user(
    request: Request,
    session: SessionDep,
    actor: AdminDep,
    form: Annotated[NewUserForm, Form()],
) -> Response:
    try:
        user = users.create(session=session, actor=actor, data=UserCreate(**form.model_dump()))
    except InvalidUser as error:
        return _new_user_form(request, session, form, error.problems, status_code=422)
    return RedirectResponse(f"/admin/users/{user.id}?done=created", status_code=303)


@router.get("/users/{user_id}")
def user_page(
    user_id: RecordId, request: Request, session: SessionDep, actor: AdminDep
) -> Response:
    user = users.get(session=session, user_id=user_id)
    return _user_form(request, session, user, EditUserForm.of(user), {})


@router.post("/users/{user_id}", dependencies=[Depends(verify_csrf)])
def update_user(
    user_id: RecordId,
    request: Request,
    session: SessionDep,
    actor: AdminDep,
    form: Annotated[EditUserForm, Form()],
) -> Response:
    user = users.get(session=session, user_id=user_id)
    try:
        users.update(session=session, actor=actor, user_id=user_id, data=form.changes(user.role))
    except InvalidUser as error:
        return _user_form(request, session, user, form, error.problems, status_code=422)
    return RedirectResponse(f"/admin/users/{user_id}?done=saved", status_code=303)


def _new_user_form(
    request: Request,
    session: Session,
    form: NewUserForm,
    problems: dict[str, Problem],
    status_code: int = 200,
) -> Response:
    context = {
        "form": form.model_copy(update={"password": ""}),  # never sent back to the browser
        "problems": problems,
        "roles": ROLES,
        "min_password": MIN_PASSWORD_LENGTH,
        "locales": LANGUAGES,
        "places": users.place_choices(session=session),
    }
    return render(request, "admin/users/new.html", context, status_code=status_code)


def _user_form(
    request: Request,
    session: Session,
    user: UserPublic,
    form: EditUserForm,
    problems: dict[str, Problem],
    status_code: int = 200,
) -> Response:
    language = page_language(request)
    places = place_names(session, language)
    context = {
        "user": user,
        "form": form.model_copy(update={"password": ""}),
        "problems": problems,
        "locales": LANGUAGES,
        "places": users.place_choices(session=session) if user.role in PLACE_ROLES else [],
        "history": [
            (change, _fields(change, language, places))
            for change in users.history(session=session, user_id=user.id)
        ],
        "done": request.query_params.get("done")
        if request.query_params.get("done") in DONE
        else None,
    }
    return render(request, "admin/users/edit.html", context, status_code=status_code)


def _fields(
    change: UserChange, language: str, places: dict[str, str]
) -> list[tuple[str, str | None, str]]:
    """(field, before or None when it had none, after) of one audit entry, as text a person
    reads: roles, places, languages and yes/no by their names, never their codes."""
    before = change.before or {}

    def shown(name: str, value: object) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return translate(language, "admin.users.active" if value else "admin.users.inactive")
        if isinstance(value, list):
            return ", ".join(shown(name, item) for item in value)
        if name == "role":
            return translate(language, f"admin.role.{value}")
        if name == "locale" and value in LANGUAGES:
            return translate(language, f"lang.{value}")
        return places.get(str(value), str(value)) if name == "scopes" else str(value)

    return [
        (name, shown(name, before[name]) if name in before else None, shown(name, value))
        for name, value in (change.after or {}).items()
    ]
