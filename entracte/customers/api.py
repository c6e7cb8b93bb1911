from ninja import Router, Schema
from pydantic import Field

from . import services

router = Router(tags=["auth"])


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class TokenOut(Schema):
    token: str


@router.post("/token", response={200: TokenOut}, summary="Exchange email and password for an API token")
def issue_token(request, payload: TokenIn):
    return {"token": services.issue_api_token(email=payload.email, password=payload.password)}
