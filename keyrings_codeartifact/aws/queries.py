"""The calls only the CLI makes: a repository's URL (``setup``), the default region,
and who the caller is (``explain --check``)."""

from typing import TYPE_CHECKING, Optional, cast

import botocore.exceptions
import botocore.session

from .. import redact
from ..errors import PREFIX, ConfigError
from .client import calling_aws, client, codeartifact_client, session_for

if TYPE_CHECKING:  # the generated clients' types (mypy-boto3-*): nothing of them at run time
    from mypy_boto3_codeartifact.literals import EndpointTypeType
    from mypy_boto3_sts import STSClient

    from ..endpoint import Endpoint
    from ..settings import Settings


def repository_endpoint(endpoint: "Endpoint", settings: "Settings", endpoint_type: "EndpointTypeType" = "ipv4") -> str:
    """The pypi URL of ``endpoint.repository`` (CodeArtifact GetRepositoryEndpoint).

    ``endpoint.owner`` may be empty: AWS then takes the caller's account."""
    with calling_aws(endpoint, settings):
        codeartifact = codeartifact_client(endpoint, settings)
        owner = {"domainOwner": endpoint.owner} if endpoint.owner else {}
        response = codeartifact.get_repository_endpoint(  # no repository: botocore's ParamValidationError, translated
            domain=endpoint.domain, repository=endpoint.repository or "", format="pypi",
            endpointType=endpoint_type, **owner,
        )
    return response["repositoryEndpoint"]


def default_region() -> Optional[str]:
    """The region the AWS config gives (AWS_REGION, the profile's region), or None."""
    try:
        region: Optional[str] = botocore.session.Session().get_config_variable("region")
    except botocore.exceptions.BotoCoreError as error:
        raise ConfigError(
            f"{PREFIX}cannot read the AWS config for a default region: {redact.text(str(error))}; "
            "set AWS_PROFILE to a configured profile, or give --region"
        ) from None
    return region


def caller_identity(endpoint: "Endpoint", settings: "Settings") -> str:
    """The ARN that AWS sees when these settings ask for a token (STS GetCallerIdentity)."""
    with calling_aws(endpoint, settings):
        session, keys = session_for(endpoint, settings)
        sts = cast("STSClient", client(session, "sts", endpoint, settings, keys))
        return sts.get_caller_identity()["Arn"]
