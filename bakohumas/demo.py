"""``bakohumas demo``: a realistic Bakohumas forum of Parepare, loaded through the running gateway.

Everything goes through the HTTP API as a coordinator would do it. Without ``--key`` the demo
first makes the forum's coordinator (Bagian Humas Pemkot Parepare) the way ``bakohumas bootstrap``
does, which needs a forum without a coordinator and access to the directory database. With
``--key`` a coordinator's key of an existing forum is used instead.

Re-running is safe: agencies whose short name already exists are left as they are (their keys
are not re-issued), the missing ones are added. People and phone numbers are fictitious.
"""
import json
import sys
import time

import requests

COORDINATOR = {
    "name": "Bagian Humas Pemerintah Kota Parepare", "short_name": "HUMAS-PAREPARE", "kind": "opd",
    "region_code": "73.72",
}
# The coordinator's first admin account (``bakohumas bootstrap --admin-name --admin-email``).
COORDINATOR_ADMIN = {"name": "Andi Nurhalisa", "email": "kabag.humas@parepare.example.id"}
COORDINATOR_CONTACTS = {
    "officers": [
        {"name": "Andi Nurhalisa", "position": "kepala_humas", "title": "Kepala Bagian Protokol dan Komunikasi Pimpinan",
         "phone": "0811-4200-1001", "email": "kabag.humas@parepare.example.id"},
        {"name": "Muh. Syahrir", "position": "ppid", "title": "PPID Utama Kota Parepare",
         "phone": "0811-4200-1002", "email": "ppid@parepare.example.id"},
    ],
    "channels": {"website": "https://pareparekota.go.id", "instagram": "@humaspemkotparepare",
                 "youtube": "@pemkotparepare", "facebook": "humas.pemkot.parepare"},
}


def officer(name, position, phone, email, title=""):
    return {"name": name, "position": position, "phone": phone, "email": email, "title": title}


# Parents come before their sub-units; "parent" names a short name of this list.
FORUM = [
    {"name": "Kepolisian Resor Parepare", "short_name": "POLRES-PAREPARE", "kind": "polri", "region_code": "73.72",
     "officers": [officer("AKP Rusdi Hamzah", "kepala_humas", "0812-4300-2001", "humas.polres@parepare.example.id",
                          "Kasi Humas Polres Parepare"),
                  officer("Bripka Ayu Lestari", "admin_media", "0853-4300-2002", "medsos.polres@parepare.example.id")],
     "channels": {"instagram": "@humaspolresparepare", "tiktok": "@polresparepare", "x": "@polresparepare",
                  "whatsapp": "0812-4300-2000"},
     "contributors": [{"name": "Aipda Sulaiman", "unit": "Polsek Soreang", "phone": "0812-4300-2101"},
                      {"name": "Brigpol Nanda", "unit": "Polsek Ujung", "phone": "0812-4300-2102"}]},
    {"name": "Kepolisian Sektor Soreang", "short_name": "POLSEK-SOREANG", "kind": "polri", "parent": "POLRES-PAREPARE",
     "region_code": "73.72.03",
     "officers": [officer("Iptu Hendra", "kepala_humas", "0812-4300-2201", "polsek.soreang@parepare.example.id")]},
    {"name": "Kepolisian Sektor Ujung", "short_name": "POLSEK-UJUNG", "kind": "polri", "parent": "POLRES-PAREPARE",
     "region_code": "73.72.02",
     "officers": [officer("Iptu Darmawan", "kepala_humas", "0812-4300-2202", "polsek.ujung@parepare.example.id")]},
    {"name": "Kepolisian Sektor Bacukiki", "short_name": "POLSEK-BACUKIKI", "kind": "polri",
     "parent": "POLRES-PAREPARE", "region_code": "73.72.01",
     "officers": [officer("Ipda Marwan", "kepala_humas", "0812-4300-2203", "polsek.bacukiki@parepare.example.id")]},
    {"name": "Komando Distrik Militer 1405/Mallusetasi", "short_name": "KODIM-1405", "kind": "tni",
     "region_code": "73.72",
     "officers": [officer("Kapten Inf. Syamsul", "kepala_humas", "0813-4400-3001", "pen.kodim1405@parepare.example.id",
                          "Pasiter Kodim 1405")],
     "channels": {"instagram": "@kodim1405mlts", "facebook": "kodim1405mallusetasi"}},
    {"name": "Komando Rayon Militer Soreang", "short_name": "KORAMIL-SOREANG", "kind": "tni", "parent": "KODIM-1405",
     "region_code": "73.72.03",
     "officers": [officer("Peltu Anwar", "staf_humas", "0813-4400-3101", "koramil.soreang@parepare.example.id")]},
    {"name": "Kejaksaan Negeri Parepare", "short_name": "KEJARI-PAREPARE", "kind": "kejaksaan", "region_code": "73.72",
     "officers": [officer("Rahmawati, S.H.", "kepala_humas", "0812-4500-4001", "penkum.kejari@parepare.example.id",
                          "Kasi Intelijen")],
     "channels": {"website": "https://kejari-parepare.kejaksaan.go.id", "instagram": "@kejariparepare"}},
    {"name": "Kantor Imigrasi Kelas II TPI Parepare", "short_name": "KANIM-PAREPARE", "kind": "imigrasi",
     "region_code": "73.72",
     "officers": [officer("Fajar Ramadhan", "kepala_humas", "0812-4600-5001", "humas.kanim@parepare.example.id",
                          "Kasubsi Informasi dan Komunikasi Keimigrasian")],
     "channels": {"instagram": "@kanimparepare", "x": "@kanimparepare", "whatsapp": "0812-4600-5000"}},
    {"name": "Dinas Komunikasi dan Informatika Kota Parepare", "short_name": "DISKOMINFO-PAREPARE", "kind": "opd",
     "region_code": "73.72",
     "officers": [officer("Nur Aisyah", "kepala_humas", "0811-4200-1101", "diskominfo@parepare.example.id",
                          "Kabid Informasi dan Komunikasi Publik"),
                  officer("Ardiansyah", "admin_media", "0811-4200-1102", "media.diskominfo@parepare.example.id")],
     "channels": {"website": "https://diskominfo.pareparekota.go.id", "instagram": "@diskominfoparepare",
                  "youtube": "@diskominfoparepare", "tiktok": "@diskominfoparepare"}},
    {"name": "Dinas Kesehatan Kota Parepare", "short_name": "DINKES-PAREPARE", "kind": "opd", "region_code": "73.72",
     "officers": [officer("dr. Sitti Hadijah", "ppid", "0811-4200-1201", "ppid.dinkes@parepare.example.id")],
     "channels": {"instagram": "@dinkesparepare", "facebook": "dinkes.parepare"}},
    {"name": "Dinas Pendidikan dan Kebudayaan Kota Parepare", "short_name": "DISDIKBUD-PAREPARE", "kind": "opd",
     "region_code": "73.72",
     "officers": [officer("Hasanuddin", "ppid", "0811-4200-1301", "ppid.disdikbud@parepare.example.id")],
     "channels": {"instagram": "@disdikbudparepare"}},
    {"name": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Parepare",
     "short_name": "DPMPTSP-PAREPARE", "kind": "opd", "region_code": "73.72",
     "officers": [officer("Yusran", "staf_humas", "0811-4200-1401", "dpmptsp@parepare.example.id")],
     "channels": {"instagram": "@dpmptspparepare", "whatsapp": "0811-4200-1400"}},
    {"name": "PT Pelabuhan Indonesia (Persero) Regional 4 Cabang Parepare", "short_name": "PELINDO-PAREPARE",
     "kind": "bumn", "region_code": "73.72",
     "officers": [officer("Reza Pahlevi", "kepala_humas", "0812-4700-6001", "humas.pelindo@parepare.example.id",
                          "Humas Cabang")],
     "channels": {"instagram": "@pelindo.parepare"}},
    {"name": "PT PLN (Persero) UP3 Parepare", "short_name": "PLN-UP3-PAREPARE", "kind": "bumn", "region_code": "73.72",
     "officers": [officer("Irma Suryani", "kepala_humas", "0812-4700-6101", "humas.pln@parepare.example.id",
                          "Asisten Manajer Komunikasi")],
     "channels": {"instagram": "@pln_up3parepare", "whatsapp": "0812-4700-6100"}},
    {"name": "Perumda Air Minum Tirta Karajae Kota Parepare", "short_name": "PERUMDA-AM-PAREPARE", "kind": "bumd",
     "region_code": "73.72",
     "officers": [officer("Amiruddin", "kepala_humas", "0811-4200-1501", "humas.perumda@parepare.example.id",
                          "Kasubag Humas dan Pengaduan")],
     "channels": {"instagram": "@tirtakarajae", "whatsapp": "0811-4200-1500"}},
    {"name": "Kantor Kementerian Agama Kota Parepare", "short_name": "KEMENAG-PAREPARE", "kind": "kementerian",
     "region_code": "73.72",
     "officers": [officer("H. Abdul Rahman", "kepala_humas", "0813-4800-7001", "inmas.kemenag@parepare.example.id",
                          "Pengelola Informasi dan Humas")],
     "channels": {"instagram": "@kemenagparepare", "facebook": "kemenag.parepare"},
     "contributors": [{"name": "Nurjannah", "unit": "KUA Soreang", "email": "kua.soreang@parepare.example.id"},
                      {"name": "Muh. Ilham", "unit": "MAN Kota Parepare", "phone": "0813-4800-7102"}]},
    {"name": "KUA Kecamatan Soreang", "short_name": "KUA-SOREANG", "kind": "kementerian",
     "parent": "KEMENAG-PAREPARE", "region_code": "73.72.03",
     "officers": [officer("Nurjannah", "staf_humas", "0813-4800-7101", "kua.soreang@parepare.example.id")]},
    {"name": "KUA Kecamatan Bacukiki", "short_name": "KUA-BACUKIKI", "kind": "kementerian",
     "parent": "KEMENAG-PAREPARE", "region_code": "73.72.01",
     "officers": [officer("Syarifuddin", "staf_humas", "0813-4800-7103", "kua.bacukiki@parepare.example.id")]},
    {"name": "Madrasah Aliyah Negeri Kota Parepare", "short_name": "MAN-PAREPARE", "kind": "kementerian",
     "parent": "KEMENAG-PAREPARE", "region_code": "73.72",
     "officers": [officer("Muh. Ilham", "staf_humas", "0813-4800-7102", "humas.man@parepare.example.id")],
     "channels": {"instagram": "@manparepare"}},
    {"name": "Madrasah Tsanawiyah Negeri Kota Parepare", "short_name": "MTSN-PAREPARE", "kind": "kementerian",
     "parent": "KEMENAG-PAREPARE", "region_code": "73.72",
     "officers": [officer("Hasnah", "staf_humas", "0813-4800-7104", "humas.mtsn@parepare.example.id")]},
]


# Requests for public information (UU 14/2008) to some of the members, so that the PPID pages have
# something to show: ``then`` is what the agency's PPID does next (by its key), if anything.
INFORMATION_REQUESTS = [
    {"agency": "DINKES-PAREPARE", "channel": "web",
     "requester": {"name": "Rahmat Hidayat", "address": "Jl. Bau Massepe 12, Parepare",
                   "email": "rahmat.hidayat@warga.example.id"},
     "identity_number": "7372 0101 8801 0001", "information": "Jumlah tenaga kesehatan per puskesmas tahun 2026",
     "purpose": "Penelitian skripsi tentang layanan kesehatan primer", "obtain": "soft_copy", "delivery": "email",
     "then": ("decision", {"decision": "granted", "note": "Data terlampir dalam tautan berikut.",
                           "documents": [{"title": "Rekap tenaga kesehatan 2026",
                                          "url": "https://dinkes.pareparekota.go.id/ppid/nakes-2026.pdf"}]})},
    {"agency": "DISDIKBUD-PAREPARE", "channel": "web",
     "requester": {"name": "Sri Wahyuni", "address": "Jl. Lasinrang 30, Parepare", "phone": "0812-9900-1002"},
     "identity_number": "7372 0202 9002 0002", "information": "Rincian dana BOS SD negeri di Kecamatan Soreang 2026",
     "purpose": "Pengawasan komite sekolah", "obtain": "hard_copy", "delivery": "pickup",
     "then": ("extend", {"reason": "Data dihimpun dari 14 sekolah; perlu waktu tambahan."})},
    {"agency": "DPMPTSP-PAREPARE", "channel": "web",
     "requester": {"name": "Andi Baso", "address": "Jl. Andi Makkasau 5, Parepare",
                   "email": "andi.baso@warga.example.id"},
     "identity_number": "7372 0303 8503 0003", "information": "Daftar izin usaha yang terbit pada Oktober 2026",
     "purpose": "Liputan jurnalistik", "obtain": "soft_copy", "delivery": "email"},
    {"agency": "PERUMDA-AM-PAREPARE", "channel": "desk",
     "requester": {"name": "Hasna Daeng Ngai", "address": "Jl. Jend. Sudirman 88, Parepare",
                   "phone": "0813-9900-1004"},
     "identity_number": "7372 0404 7004 0004", "information": "Jadwal pemeliharaan pipa di Kecamatan Ujung",
     "purpose": "Keperluan rumah tangga", "obtain": "see", "delivery": "pickup"},
]
# The information service learns of new agencies from the directory's events: a moment after registering.
AGENCY_KNOWN_SECONDS = 30


class DemoFailed(Exception):
    pass


class Gateway:
    def __init__(self, url, key=None):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def call(self, method, path, expect, **kwargs):
        try:
            response = self.session.request(method, self.url + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            raise DemoFailed(f"the gateway at {self.url} did not answer ({exc}); is `bakohumas run` running?") from None
        if response.status_code != expect:
            raise DemoFailed(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def short_names(self):
        """Every agency already in the forum, by upper-cased short name."""
        known, offset = {}, 0
        while True:
            page = self.call("GET", "/api/v1/agencies", 200, params={"limit": 200, "offset": offset})
            known.update({a["short_name"].upper(): a["id"] for a in page["items"]})
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return known


def load(url, key=None, bootstrap=None):
    """Load the forum; returns ``(made, present)``: the agencies made (with their keys) and those already there.

    ``bootstrap`` makes the coordinator when no ``key`` is given: ``bootstrap(data) -> (agency_id, key,
    admin)``, ``admin`` its first account (``{"name", "email", "console_link"}``). Every agency made
    has an admin account too: its first officer, invited with a one-time console link.
    """
    Gateway(url).call("GET", "/health", 200)  # first: a key made for a gateway that is away would be lost
    if key is not None:
        return load_members(Gateway(url, key))
    agency_id, key, admin = bootstrap(COORDINATOR)
    coordinator = {**COORDINATOR, "role": "coordinator", "agency_id": agency_id, "api_key": key, "admin": admin}
    try:
        gateway = Gateway(url, key)
        gateway.call("PATCH", f"/api/v1/agencies/{agency_id}", 200, json=COORDINATOR_CONTACTS)
        made, present = load_members(gateway)
    except DemoFailed as exc:
        raise DemoFailed(f"{exc}\nThe coordinator {COORDINATOR['short_name']} was made; its key, shown only "
                         f"this once: {key}\nRun the demo again with --key {key}") from None
    return [coordinator, *made], present


def load_members(gateway):
    """Register the forum's members under the coordinator holding ``gateway``'s key, skipping those already there."""
    me = gateway.call("GET", "/api/v1/me", 200)
    if me["role"] != "coordinator":
        raise DemoFailed(f"the key belongs to {me['short_name']}, a member; the demo needs a coordinator's key")
    known = gateway.short_names()
    made, present = [], []
    for entry in FORUM:
        body = {k: v for k, v in entry.items() if k != "parent"}
        if entry["short_name"] in known:
            present.append(entry["short_name"])
            continue
        if entry.get("parent"):
            body["parent_id"] = known[entry["parent"]]
        agency = gateway.call("POST", "/api/v1/agencies", 201, json=body)
        known[entry["short_name"]] = agency["id"]
        issued = gateway.call("POST", f"/api/v1/agencies/{agency['id']}/keys", 201, json={"label": "demo"})
        first = entry["officers"][0]
        invited = gateway.call("POST", f"/api/v1/agencies/{agency['id']}/accounts", 201, json={
            "name": first["name"], "email": first["email"], "account_role": "admin"})
        made.append({"name": agency["name"], "short_name": agency["short_name"], "kind": agency["kind"],
                     "role": agency["role"], "agency_id": agency["id"], "parent": entry.get("parent"),
                     "api_key": issued["api_key"],
                     "admin": {"name": first["name"], "email": first["email"],
                               "console_link": invited["invite_link"]}})
    return made, present


def file_information_requests(url, made):
    """File the demo's information requests with the agencies made in this run (a re-run files none
    again), and take each one's next step; returns their registration numbers."""
    keys = {agency["short_name"]: agency["api_key"] for agency in made}
    numbers = []
    for entry in INFORMATION_REQUESTS:
        if entry["agency"] not in keys:
            continue
        agency = Gateway(url, keys[entry["agency"]])
        agency_id = agency.call("GET", "/api/v1/me", 200)["agency_id"]
        body = {k: v for k, v in entry.items() if k not in ("agency", "then")}
        filer = agency if entry["channel"] == "desk" else Gateway(url)
        wait_until_known(filer, agency_id)
        accepted = filer.call("POST", "/api/v1/information/requests", 201, json={**body, "agency_id": agency_id})
        numbers.append(accepted["registration_number"])
        if entry.get("then"):
            step, step_body = entry["then"]
            listed = agency.call("GET", "/api/v1/information/requests", 200)["requests"]
            [request] = [r for r in listed if r["registration_number"] == accepted["registration_number"]]
            agency.call("POST", f"/api/v1/information/requests/{request['id']}/{step}", 200, json=step_body)
    return numbers


def wait_until_known(gateway, agency_id):
    """Wait (a little) for the information service to know a new agency: its public list of
    information (DIP) answers then, and it is not rate-limited as filing is."""
    deadline = time.monotonic() + AGENCY_KNOWN_SECONDS
    while True:
        try:
            return gateway.call("GET", f"/api/v1/information/dip/{agency_id}", 200)
        except DemoFailed:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def report(url, made, present, as_json, out=sys.stdout, information_requests=()):
    if as_json:
        print(json.dumps({"url": url, "agencies": made, "already_present": present,
                          "information_requests": list(information_requests)}, indent=2), file=out)
        return
    print(f"Bakohumas Parepare demo at {url}: {len(made)} agencies added, {len(present)} already there, "
          f"{len(information_requests)} information requests filed.", file=out)
    if made:
        print("Their API keys, shown only this once (use as 'Authorization: Bearer <key>'):\n", file=out)
        for agency in made:
            print(f"  {agency['role']:<11} {agency['short_name']:<20} {agency['agency_id']}  {agency['api_key']}",
                  file=out)
        print("\nTheir first admins set a password for the console at these one-time links "
              "(valid 72 hours, shown only this once):\n", file=out)
        for agency in made:
            admin = agency["admin"]
            print(f"  {agency['short_name']:<20} {admin['name']} <{admin['email']}>\n"
                  f"  {'':<20} {admin['console_link']}", file=out)
    if present:
        print(f"\nAlready there (keys not re-issued): {', '.join(present)}", file=out)
