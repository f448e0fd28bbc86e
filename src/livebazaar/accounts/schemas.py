"""What the accounts API accepts and returns."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from livebazaar.accounts.models import Role
from livebazaar.accounts.postal import needs_postal_code
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


class AddressFields(BaseModel):
    """An address's fields as stored: one saved before postal codes were required may lack
    its code (accounts.check_deliverable tells it apart)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S"), Clean]
    line1: _Required
    line2: _Line = ""
    city: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S"), Clean]
    region: Annotated[str, Field(max_length=120), Clean] = ""
    country: CountryCode  # before postal_code: its validator reads the country
    postal_code: Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9 \-]*$")] = ""
    phone: Annotated[str, Field(max_length=32, pattern=r"^[0-9+() \-]*$")] = ""


class AddressIn(AddressFields):
    """Where to deliver: what a courier needs, in any country (a postal code where the
    country uses one)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)

    @field_validator("postal_code")
    @classmethod
    def _postal_code_where_used(cls, value: str, info: ValidationInfo) -> str:
        """Required where the country has postal codes (accounts/postal.py)."""
        country = info.data.get("country")
        if not value and isinstance(country, str) and needs_postal_code(country):
            raise PydanticCustomError(
                "postal_code_required", "A postal code is needed to deliver in {country}",
                {"country": country},
            )  # fmt: skip
        return value


class AddressOut(AddressFields):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    id: str
