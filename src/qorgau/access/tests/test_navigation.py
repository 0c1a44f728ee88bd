"""The menu asks the policy with the rule each page's view declares, never a restated one."""

import pytest
from django.urls import resolve, reverse

from qorgau.access import navigation, policy
from qorgau.access.models import Role
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

LINKS = sorted({name for name, _label in navigation.MENU + navigation.SHORTCUTS})


def declared(name: str) -> str:
    view = resolve(reverse(name)).func
    if hasattr(view, "admin_site"):
        return view.admin_site.qorgau_action
    return view.qorgau_action


@pytest.mark.parametrize("name", LINKS)
def test_every_menu_link_asks_the_right_its_view_declares(name):
    assert navigation.right_of(name) == declared(name)


def test_the_case_list_link_asks_for_search_as_its_view_does():
    # The menu once restated this link as "case.view" while the view required "case.search".
    assert navigation.right_of("registry:case_list") == "case.search"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_sees_exactly_the_links_its_views_let_it_open(role):
    user = make_user(f"{role}_links", role)
    expected = [reverse(n) for n, _label in navigation.MENU if policy.can(user, declared(n))]
    assert [href for href, _label in navigation.links(user, navigation.MENU)] == expected


def test_a_system_actor_sees_every_link():
    assert len(navigation.links(SYSTEM, navigation.MENU)) == len(navigation.MENU)
