"""Fixtures of the page tests: the posts of 平塘县 and a registry with its rollups."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.targeting.conftest import POSTS, Posts, posts

__all__ = ["POSTS", "Posts", "client_for", "posts"]


def client_for(posts: Posts, name: str) -> Client:
    """A test client logged in as the post `name` of the `posts` fixture."""
    client = Client()
    user = posts.actors[name].user
    assert user is not None
    client.force_login(user)
    return client


@pytest.fixture
def login(posts: Posts) -> Any:
    """`login(name)`: a client logged in as that post."""
    return lambda name: client_for(posts, name)
