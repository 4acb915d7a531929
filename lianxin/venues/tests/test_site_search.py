"""Sites are searchable by street, kind and keyword, and listed nearest first when the phone gives a position."""

import pytest

from lianxin.venues import selectors, services


def test_haversine_known_distance():
    # Hangzhou (West Lake) to Shanghai (People's Square): about 165 km
    assert 160 < selectors.haversine_km(30.2460, 120.1500, 31.2304, 121.4737) < 170
    assert selectors.haversine_km(30.0, 120.0, 30.0, 120.0) == 0


@pytest.fixture
def sites(district):
    d = district
    mk = services.create_site
    return {
        "near": mk(actor=d.users["street_a.admin"], org=d.street_a, street=d.street_a, kind="station",
                   name="白杨工会驿站", address="学源街", latitude=30.3100, longitude=120.3400),
        "far": mk(actor=d.users["street_b.admin"], org=d.street_b, street=d.street_b, kind="station",
                  name="下沙工会驿站", address="文泽路", latitude=30.2900, longitude=120.4000),
        "home": mk(actor=d.users["street_b.admin"], org=d.street_b, street=d.street_b, kind="home",
                   name="下沙职工之家", address="福城路", latitude=None, longitude=None),
        "closed": mk(actor=d.users["street_a.admin"], org=d.street_a, street=d.street_a, kind="mother",
                     name="已关闭的小屋", address="某路", is_active=False),
    }


def test_filters(client, district, sites):
    html = client.get(f"/m/sites/?street={district.street_b.pk}").content.decode()
    assert "下沙工会驿站" in html and "下沙职工之家" in html and "白杨工会驿站" not in html
    html = client.get("/m/sites/?kind=station&q=下沙").content.decode()
    assert "下沙工会驿站" in html and "白杨工会驿站" not in html and "职工之家</a>" not in html
    assert "已关闭的小屋" not in client.get("/m/sites/").content.decode()
    assert client.get(f"/m/sites/{sites['closed'].pk}/").status_code == 404


def test_nearest_first_with_distance(client, sites):
    html = client.get("/m/sites/?lat=30.2910&lng=120.3990").content.decode()
    i_far, i_near, i_home = (html.index(n) for n in ("下沙工会驿站", "白杨工会驿站", "下沙职工之家"))
    assert i_far < i_near < i_home  # no coordinates: last
    assert "约 0.1 公里" in html
    # rubbish coordinates are ignored, not a 500
    assert client.get("/m/sites/?lat=abc&lng=999").status_code == 200


def test_list_page_loads_location_script_from_static(client, sites):
    html = client.get("/m/sites/").content.decode()
    assert 'src="/static/venues/near.js"' in html and "<script>" not in html


def test_coordinates_are_validated(district):
    from lianxin.core.errors import ServiceError

    with pytest.raises(ServiceError) as e:
        services.create_site(actor=district.users["street_a.admin"], org=district.street_a,
                             street=district.street_a, kind="home", name="x", address="y", latitude=95,
                             longitude=120)
    assert e.value.field == "latitude"


def test_street_union_cannot_place_a_site_in_another_street(district):
    from lianxin.core.errors import ServiceError

    with pytest.raises(ServiceError) as e:
        services.create_site(actor=district.users["street_a.admin"], org=district.street_a,
                             street=district.street_b, kind="home", name="x", address="y")
    assert e.value.field == "street"
    # the federation places shared facilities in any street
    s = services.create_site(actor=district.users["fed.admin"], org=district.fed, street=district.street_b,
                             kind="sports", name="高校球场", address="z")
    assert s.street == district.street_b
