"""Widening (or narrowing back) the app_user role check, shared by the migrations that add
a role."""

from alembic import op


def roles_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def replace_role_check(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Replace the role check. SQLite cannot alter a CHECK, and rebuilding app_user would
    drop a table every other table refers to, so there the stored schema text is edited in
    place (the documented writable_schema procedure for changes that leave the stored rows
    valid: a wider IN list, or a narrower one once the extra role's users are gone)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_app_user_role_valid"), "app_user", type_="check")
        op.create_check_constraint(op.f("ck_app_user_role_valid"), "app_user", roles_check(new))
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
        (roles_check(old), roles_check(new), "app_user"),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
