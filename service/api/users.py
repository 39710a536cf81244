"""JSON API for user administration: administrators only (401 anonymous, 403 others)."""

from fastapi import APIRouter

from service.bounds import RecordId
from service.deps import AdminDep, SessionDep
from service.users import service as users
from service.users.models import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/admin/users", response_model=list[UserPublic])
def list_users(session: SessionDep, actor: AdminDep) -> list[UserPublic]:
    """Every user with role, jurisdictions, employer or committee, and whether active."""
    return users.list_users(session=session)


@router.post("/admin/users", response_model=UserPublic, status_code=201)
def create_user(data: UserCreate, session: SessionDep, actor: AdminDep) -> UserPublic:
    """Create a user; 422 lists every field problem. Audited."""
    return users.create(session=session, actor=actor, data=data)


@router.get("/admin/users/{user_id}", response_model=UserPublic)
def get_user(user_id: RecordId, session: SessionDep, actor: AdminDep) -> UserPublic:
    """One user with role and scope."""
    return users.get(session=session, user_id=user_id)


@router.patch("/admin/users/{user_id}", response_model=UserPublic)
def update_user(
    user_id: RecordId, data: UserUpdate, session: SessionDep, actor: AdminDep
) -> UserPublic:
    """Change scope, profile or password, or deactivate (signs the user out). Audited."""
    return users.update(session=session, actor=actor, user_id=user_id, data=data)
