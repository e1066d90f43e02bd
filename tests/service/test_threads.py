"""`wenda serve` gives each question one torch and one FAISS thread unless told otherwise."""

import faiss
import pytest
import torch

from service.qa import one_thread_per_question
from service.settings import Settings


@pytest.fixture
def restored_threads():
    before = torch.get_num_threads(), faiss.omp_get_max_threads()
    yield
    torch.set_num_threads(before[0])
    faiss.omp_set_num_threads(before[1])


def test_a_server_runs_each_question_on_one_thread(restored_threads, monkeypatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    torch.set_num_threads(2)
    faiss.omp_set_num_threads(2)
    one_thread_per_question(Settings(torch_threads=0))
    assert torch.get_num_threads() == 1 and faiss.omp_get_max_threads() == 1


def test_threads_set_by_the_operator_are_kept(restored_threads, monkeypatch) -> None:
    torch.set_num_threads(2)
    faiss.omp_set_num_threads(2)
    one_thread_per_question(Settings(torch_threads=2))
    assert torch.get_num_threads() == 2 and faiss.omp_get_max_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    one_thread_per_question(Settings(torch_threads=0))
    assert torch.get_num_threads() == 1 and faiss.omp_get_max_threads() == 2
