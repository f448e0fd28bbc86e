"""What the accounts API accepts and returns."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from livebazaar.accounts.models import Role
from livebazaar.kernel.text import Clean, CountryCode


class RegisterIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    display_name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S"), Clean]


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


_Line = Annotated[str, Field(max_length=200), Clean]
_Required = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), Clean]


class AddressIn(BaseModel):
    """Where to deliver: what a courier needs, in any country."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S"), Clean]
    line1: _Required
    line2: _Line = ""
    city: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S"), Clean]
    region: Annotated[str, Field(max_length=120), Clean] = ""
    postal_code: Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9 \-]*$")] = ""
    country: CountryCode
    phone: Annotated[str, Field(max_length=32, pattern=r"^[0-9+() \-]*$")] = ""


class AddressOut(AddressIn):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    id: str
