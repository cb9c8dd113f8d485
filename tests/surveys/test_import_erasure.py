"""An erasure reaches the imports still waiting: a file naming the erased
customer is refused and emptied, so running it later cannot bring them back."""

from __future__ import annotations

import pytest

from surveys import imports
from surveys.models import Customer, CustomerImport
from surveys.services import customer_erase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def upload(text: str) -> CustomerImport:
    return imports.customer_import_create(data=text.encode(), file_name="later.csv")


def test_an_import_waiting_with_an_erased_customer_is_refused_and_cannot_bring_them_back():
    zeb = CustomerFactory(email="Zeb@Example.org", name="Zebulon Q", external_id="crm-7")
    by_email = upload("email,name\nana@example.com,Ana\nzeb@example.org,Zebulon Q\n")
    by_id = upload("email,external_id\nnew@example.com,crm-7\n")
    unrelated = upload("email,external_id\nana@example.com,crm-70\n")

    customer_erase(customer=zeb)
    for job in (by_email, by_id, unrelated):
        imports.customer_import_run(job_id=job.pk)

    for job in (by_email, by_id):
        job.refresh_from_db()
        assert (job.status, bytes(job.data), job.rows_processed) == ("failed", b"", 0)
        assert "erased while it waited" in job.errors[0]["message"]
    assert not Customer.objects.filter(email__iexact="zeb@example.org").exists()
    assert not Customer.objects.filter(name="Zebulon Q").exists()
    assert CustomerImport.objects.get(pk=unrelated.pk).status == CustomerImport.Status.DONE
    assert Customer.objects.filter(external_id="crm-70").exists()
