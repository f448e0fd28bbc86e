"""What the accounts API accepts and returns."""

from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field

from livebazaar.accounts.models import Role


class RegisterIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    display_name: str = Field(min_length=1, max_length=80, pattern=r"\S")


class TokenIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class UserOut(BaseModel):
    id: str
    email: str
    display_name: str
    is_admin: bool


class MemberIn(BaseModel):
    email: EmailStr
    role: Role


class MemberOut(BaseModel):
    user_id: str
    display_name: str
    role: Role
