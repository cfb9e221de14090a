"""The medication catalogue: psychiatric medications with their class and RxNorm ingredient code.

Pure data (standard library only), from SCIENCE.md 7.1 (classes) and 7.2 (RXCUIs). Each code
keeps its verification status, so nothing downstream mistakes a remembered number for a checked
one (SCIENCE.md 8, open item 4):

- "CPIC": in the CPIC/PharmGKB drug table, cpicpgx/cpic-schema `drug.sql` at commit 05f9b09c5fcd
  (the commit SCIENCE.md 7.2 cites). Zuclopenthixol (RxNorm 114176) is not in the 7.2 table but is
  in that file at that commit, so it is CPIC-verified too.
- "third_party": corroborated only by third-party code.
- "unverified": from memory, or no code known. Agomelatine is not US-approved and has no US RXCUI;
  milnacipran, fluphenazine and paliperidone are in 7.1 without a code in 7.2 (nor in the CPIC
  file), so their code is None until resolved against an RxNorm release.

A medication a person takes that is not listed here is still recorded, by name, without a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

VerificationStatus = Literal["CPIC", "third_party", "unverified"]


@dataclass(frozen=True, slots=True)
class MedicationClass:
    label: str
    """Short, as clinicians write it: "SSRI"."""
    full_name: str
    """Spelled out, so typing "tricyclic" or "serotonin" finds the class too."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    name: str
    """The ingredient, lower case, as RxNorm names it ("valproic acid")."""
    drug_class: MedicationClass
    rxcui: str | None
    """RxNorm ingredient (TTY=IN) RXCUI; None when no verified US code is known."""
    rxcui_status: VerificationStatus
    aliases: tuple[str, ...] = ()
    """Other names a person may type for the same ingredient ("valproate")."""
    note: str | None = None
    """A fact from SCIENCE.md 7.1 worth showing beside the name ("not US-approved")."""


SSRI: Final = MedicationClass("SSRI", "selective serotonin reuptake inhibitor")
SNRI: Final = MedicationClass("SNRI", "serotonin and norepinephrine reuptake inhibitor")
NDRI: Final = MedicationClass("NDRI", "norepinephrine and dopamine reuptake inhibitor")
SARI: Final = MedicationClass("SARI", "serotonin antagonist and reuptake inhibitor")
NASSA: Final = MedicationClass("NaSSA", "noradrenergic and specific serotonergic antidepressant")
MULTIMODAL: Final = MedicationClass("Multimodal", "multimodal / serotonin modulator")
MELATONERGIC: Final = MedicationClass(
    "Melatonergic", "melatonergic (MT1/MT2 agonist, 5-HT2C antagonist)"
)
TCA: Final = MedicationClass("TCA", "tricyclic antidepressant")
MAOI: Final = MedicationClass("MAOI", "monoamine oxidase inhibitor")
FIRST_GENERATION: Final = MedicationClass(
    "Antipsychotic (first generation)", "first-generation antipsychotic"
)
SECOND_GENERATION: Final = MedicationClass(
    "Antipsychotic (second/third generation)", "second- or third-generation antipsychotic"
)
MOOD_STABILISER: Final = MedicationClass("Mood stabiliser", "mood stabiliser")

CLASSES: Final = (
    SSRI,
    SNRI,
    NDRI,
    SARI,
    NASSA,
    MULTIMODAL,
    MELATONERGIC,
    TCA,
    MAOI,
    FIRST_GENERATION,
    SECOND_GENERATION,
    MOOD_STABILISER,
)


def _entry(
    name: str,
    drug_class: MedicationClass,
    rxcui: str | None,
    status: VerificationStatus,
    *,
    aliases: tuple[str, ...] = (),
    note: str | None = None,
) -> CatalogueEntry:
    return CatalogueEntry(name, drug_class, rxcui, status, aliases, note)


CATALOGUE: Final[tuple[CatalogueEntry, ...]] = (
    # SSRIs
    _entry("citalopram", SSRI, "2556", "CPIC"),
    _entry("escitalopram", SSRI, "321988", "CPIC"),
    _entry("fluoxetine", SSRI, "4493", "CPIC"),
    _entry("fluvoxamine", SSRI, "42355", "CPIC"),
    _entry("paroxetine", SSRI, "32937", "CPIC"),
    _entry("sertraline", SSRI, "36437", "CPIC"),
    # SNRIs
    _entry("venlafaxine", SNRI, "39786", "CPIC"),
    _entry("desvenlafaxine", SNRI, "734064", "unverified"),
    _entry("duloxetine", SNRI, "72625", "CPIC"),
    _entry("levomilnacipran", SNRI, "1433212", "unverified"),
    _entry("milnacipran", SNRI, None, "unverified"),
    # NDRI, SARI, NaSSA, multimodal, melatonergic
    _entry("bupropion", NDRI, "42347", "CPIC"),
    _entry("trazodone", SARI, "10737", "third_party"),
    _entry("nefazodone", SARI, "31565", "unverified"),
    _entry("mirtazapine", NASSA, "15996", "CPIC"),
    _entry("vortioxetine", MULTIMODAL, "1455099", "CPIC"),
    _entry("vilazodone", MULTIMODAL, "1086769", "unverified"),
    _entry("agomelatine", MELATONERGIC, None, "unverified", note="not US-approved"),
    # Tricyclics
    _entry("amitriptyline", TCA, "704", "CPIC"),
    _entry("nortriptyline", TCA, "7531", "CPIC"),
    _entry("imipramine", TCA, "5691", "CPIC"),
    _entry("desipramine", TCA, "3247", "CPIC"),
    _entry("clomipramine", TCA, "2597", "CPIC"),
    _entry("doxepin", TCA, "3638", "CPIC"),
    _entry("protriptyline", TCA, "8886", "CPIC"),
    _entry("trimipramine", TCA, "10834", "CPIC"),
    # MAOIs
    _entry("phenelzine", MAOI, "8123", "unverified"),
    _entry("tranylcypromine", MAOI, "10734", "unverified"),
    _entry("isocarboxazid", MAOI, "6011", "unverified"),
    _entry("selegiline", MAOI, "9639", "unverified", note="transdermal"),
    # Antipsychotics, first generation
    _entry("haloperidol", FIRST_GENERATION, "5093", "CPIC"),
    _entry("perphenazine", FIRST_GENERATION, "8076", "CPIC"),
    _entry("fluphenazine", FIRST_GENERATION, None, "unverified"),
    _entry("zuclopenthixol", FIRST_GENERATION, "114176", "CPIC", note="not US-approved"),
    # CPIC: 8331 (one third-party file says 8332, which CPIC contradicts).
    _entry("pimozide", FIRST_GENERATION, "8331", "CPIC"),
    # Antipsychotics, second and third generation
    _entry("aripiprazole", SECOND_GENERATION, "89013", "CPIC"),
    _entry("brexpiprazole", SECOND_GENERATION, "1658314", "CPIC"),
    _entry("cariprazine", SECOND_GENERATION, "1667655", "unverified"),
    _entry("quetiapine", SECOND_GENERATION, "51272", "third_party"),
    _entry("olanzapine", SECOND_GENERATION, "61381", "CPIC"),
    _entry("risperidone", SECOND_GENERATION, "35636", "CPIC"),
    _entry("paliperidone", SECOND_GENERATION, None, "unverified"),
    _entry("ziprasidone", SECOND_GENERATION, "115698", "unverified"),
    _entry("lurasidone", SECOND_GENERATION, "1040028", "unverified"),
    _entry("clozapine", SECOND_GENERATION, "2626", "CPIC"),
    _entry("iloperidone", SECOND_GENERATION, "73178", "CPIC"),
    # Mood stabilisers
    _entry("lithium", MOOD_STABILISER, "6448", "third_party"),
    _entry("lamotrigine", MOOD_STABILISER, "28439", "CPIC"),
    _entry(
        "valproic acid",
        MOOD_STABILISER,
        "11118",
        "CPIC",
        # SCIENCE.md 7.1 says "valproate"; divalproex is left out (CPIC lists it as a drug of
        # its own, RxNorm 266856), so it is kept as typed rather than given this code.
        aliases=("valproate", "sodium valproate"),
    ),
    _entry("carbamazepine", MOOD_STABILISER, "2002", "CPIC"),
)

DEFAULT_LIMIT: Final = 10
_BY_NAME: Final = {
    spelling: entry for entry in CATALOGUE for spelling in (entry.name, *entry.aliases)
}


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def find_medication(name: str) -> CatalogueEntry | None:
    """The entry a typed name means (any case, extra spaces ignored, aliases too), or None."""
    return _BY_NAME.get(_normalised(name))


def _rank(entry: CatalogueEntry, query: str) -> int | None:
    """0: the name (or an alias) starts with the query; 1: the class does; 2: the name contains
    it; 3: the class's full name contains it; None: no match."""
    names = (entry.name, *entry.aliases)
    label, full = entry.drug_class.label.casefold(), entry.drug_class.full_name.casefold()
    if any(name.startswith(query) for name in names):
        return 0
    if label.startswith(query) or full.startswith(query):
        return 1
    if any(query in name for name in names):
        return 2
    if query in label or query in full:
        return 3
    return None


def search_catalogue(query: str, limit: int = DEFAULT_LIMIT) -> list[CatalogueEntry]:
    """What a person typing `query` most likely means: name prefixes first, then class matches,
    then names containing it; alphabetical within each group. Nothing typed finds nothing."""
    wanted = _normalised(query)
    if not wanted or limit <= 0:
        return []
    ranked = [
        (rank, entry.name, entry)
        for entry in CATALOGUE
        if (rank := _rank(entry, wanted)) is not None
    ]
    return [entry for _, _, entry in sorted(ranked, key=lambda found: found[:2])][:limit]
