"""The registry: children, their parents, carers, classifications, documents and agreements.

One module per thing that changes together; everything is importable from `children.models`.
Townships and villages live on the ground floor (dingzhou_welfare.models) and are re-exported here.
"""

from dingzhou_welfare.models import Township, TownshipManager, Village

from .agreements import (
    DEFAULT_CARER_DUTIES,
    DEFAULT_PARENT_DUTIES,
    AgreementQuerySet,
    GuardianshipAgreement,
    default_carer_duties,
    default_parent_duties,
)
from .child import ID_NUMBER_SHAPE, Child, ChildQuerySet, Sex, add_years, age_on
from .classifications import Classification, ClassificationKind, ClassificationQuerySet, ClassificationReview
from .documents import ChildDocument, document_path
from .extras import ChildExportJob, NotDuplicate
from .family import Carer, ParentSituation, PaymentAccount

__all__ = [
    "DEFAULT_CARER_DUTIES",
    "DEFAULT_PARENT_DUTIES",
    "ID_NUMBER_SHAPE",
    "AgreementQuerySet",
    "Carer",
    "Child",
    "ChildDocument",
    "ChildExportJob",
    "ChildQuerySet",
    "Classification",
    "ClassificationKind",
    "ClassificationQuerySet",
    "ClassificationReview",
    "GuardianshipAgreement",
    "NotDuplicate",
    "ParentSituation",
    "PaymentAccount",
    "Sex",
    "Township",
    "TownshipManager",
    "Village",
    "add_years",
    "age_on",
    "default_carer_duties",
    "default_parent_duties",
    "document_path",
]
