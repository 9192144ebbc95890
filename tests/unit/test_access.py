"""Who sees which structure in the console: admins everything, counsellors their own."""

from __future__ import annotations

from connector.domain.access import ConsoleAccess, Viewer, principal

PAU, PARIS, REUNION = "65440S00", "75010S00", "97411S00"

ACCESS = ConsoleAccess(
    admins=frozenset({"Admin@Demo.fr", "pix-imilo-admins"}),
    structures={
        PAU: frozenset({"conseillere@ml-pau.fr", "ml-pau-conseillers"}),
        PARIS: frozenset({" Conseiller@ML-Paris.fr "}),
        REUNION: frozenset(),
    },
)


def viewer(email: str | None = None, *groups: str) -> Viewer:
    return Viewer(email=email, groups=frozenset(groups))


def test_an_e_mail_is_compared_trimmed_and_without_regard_to_case() -> None:
    for email in ("conseillere@ml-pau.fr", "  CONSEILLERE@ML-PAU.FR "):
        assert ACCESS.structures_for(viewer(email)) == {PAU}
    assert ACCESS.structures_for(viewer("conseiller@ml-paris.fr")) == {PARIS}
    assert ACCESS.may_see(viewer("Conseiller@ml-paris.fr"), PARIS)
    assert not ACCESS.may_see(viewer("conseiller@ml-paris.fr"), PAU)


def test_a_group_is_compared_exactly() -> None:
    assert ACCESS.structures_for(viewer(None, "ml-pau-conseillers")) == {PAU}
    assert ACCESS.structures_for(viewer(None, " ml-pau-conseillers ")) == {PAU}
    assert ACCESS.structures_for(viewer(None, "ML-PAU-CONSEILLERS")) == frozenset()
    assert ACCESS.structures_for(viewer("other@x.fr", "other", "ml-pau-conseillers")) == {PAU}


def test_an_e_mail_never_matches_a_group_nor_a_group_an_e_mail() -> None:
    """A group claim holding a counsellor's e-mail, or an e-mail without @: no access."""
    assert ACCESS.structures_for(viewer(None, "conseillere@ml-pau.fr")) == frozenset()
    assert ACCESS.structures_for(viewer("ml-pau-conseillers")) == frozenset()
    assert not ACCESS.is_admin(viewer("pix-imilo-admins"))


def test_an_admin_by_group_sees_every_listed_structure_and_may_see_any() -> None:
    admin = viewer("someone@ml-pau.fr", "pix-imilo-admins")
    assert ACCESS.is_admin(admin)
    assert ACCESS.structures_for(admin) == {PAU, PARIS, REUNION}
    assert ACCESS.may_see(admin, REUNION)
    assert ACCESS.may_see(admin, "2A004S00")  # not listed: an admin may still see it


def test_an_admin_by_e_mail() -> None:
    admin = viewer(" ADMIN@demo.fr")
    assert ACCESS.is_admin(admin)
    assert ACCESS.structures_for(admin) == {PAU, PARIS, REUNION}
    assert ACCESS.may_see(admin, "2A004S00")


def test_nobody_sees_anything_without_a_console_file() -> None:
    nobody = ConsoleAccess()
    for someone in (viewer("admin@demo.fr", "pix-imilo-admins"), viewer(None)):
        assert not nobody.is_admin(someone)
        assert nobody.structures_for(someone) == frozenset()
        assert not nobody.may_see(someone, PAU)


def test_a_viewer_without_e_mail_is_known_by_their_groups_only() -> None:
    assert ACCESS.structures_for(viewer(None)) == frozenset()
    assert not ACCESS.is_admin(viewer(None))
    assert not ACCESS.may_see(viewer(None), PAU)
    assert ACCESS.may_see(viewer(None, "ml-pau-conseillers"), PAU)
    assert ACCESS.is_admin(viewer(None, "pix-imilo-admins"))


def test_an_unknown_viewer_sees_nothing_not_even_an_empty_structure() -> None:
    stranger = viewer("stranger@elsewhere.fr", "other-group")
    assert ACCESS.structures_for(stranger) == frozenset()
    assert not ACCESS.may_see(stranger, REUNION)


def test_entries_are_kept_in_their_compared_form() -> None:
    assert principal("  Conseillere@ML-Pau.fr ") == "conseillere@ml-pau.fr"
    assert principal(" ML-Pau-Conseillers ") == "ML-Pau-Conseillers"
    assert ACCESS.admins == {"admin@demo.fr", "pix-imilo-admins"}
    assert ACCESS.structures[PARIS] == {"conseiller@ml-paris.fr"}
    assert ConsoleAccess(admins=frozenset({"", "  "})).admins == frozenset()
