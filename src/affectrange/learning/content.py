"""The learning pages as data: their order, titles, summaries and sources, and where other pages
link into them.

The words of each page live in its template (`web/templates/learning/pages/<slug>.html`), so the
medication-advice guard reads them with every other template; this module holds what the index,
the page layout and the links from other features need. Every source is one that SCIENCE.md lists,
cited as SCIENCE.md gives it (authors, year, title or journal); nothing is fetched. docs/learning.md
lists the pages, their sources and their measured reading level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from affectrange.errors import NotFound


@dataclass(frozen=True, slots=True)
class Source:
    """One reference, in the words SCIENCE.md gives it."""

    key: str
    short: str
    """How the text cites it: "Goodwin 2017"."""
    citation: str
    """Authors, year, title where SCIENCE.md gives one, journal, volume and pages."""
    about: str
    """Our own note on what the source is (never a made-up title)."""
    link: str | None = None
    """A DOI or PubMed address, shown as its own text; never fetched."""

    @property
    def link_text(self) -> str | None:
        if self.link is None:
            return None
        return self.link.removeprefix("https://doi.org/").removeprefix("https://")


@dataclass(frozen=True, slots=True)
class LearningPage:
    slug: str
    title: str
    summary: str
    """One sentence for the index."""
    sources: tuple[str, ...]
    """Keys of `SOURCES`, in the order the list at the foot of the page shows them."""

    @property
    def href(self) -> str:
        return f"/learn/{self.slug}"

    @property
    def template(self) -> str:
        return f"learning/pages/{self.slug}.html"


@dataclass(frozen=True, slots=True)
class LearnLink:
    """A link from another page into a learning page (a pattern card, a questionnaire result)."""

    slug: str
    anchor: str | None
    text: str

    @property
    def href(self) -> str:
        return f"/learn/{self.slug}" + (f"#{self.anchor}" if self.anchor else "")


_SOURCE_LIST: Final[tuple[Source, ...]] = (
    Source(
        "price2012",
        "Price 2012",
        "Price J, Cole V, Doll H, Goodwin GM (2012). The Oxford Questionnaire on the Emotional "
        "Side-effects of Antidepressants (OQuESA): development, validity, reliability and "
        "sensitivity to change. J Affect Disord 140(1):66-74.",
        "How the questionnaire now called the ODQ was built; the four sides of blunting.",
        "https://doi.org/10.1016/j.jad.2012.01.030",
    ),
    Source(
        "price2009",
        "Price 2009",
        "Price, Cole, Goodwin (2009). Br J Psychiatry 195:211-217.",
        "A qualitative study of blunting with SSRIs.",
    ),
    Source(
        "goodwin2017",
        "Goodwin 2017",
        "Goodwin GM, Price J, De Bodinat C, Laredo J (2017). Emotional blunting with "
        "antidepressant treatments: a survey among depressed patients. J Affect Disord "
        "221:31-35.",
        "An internet survey of 669 people treated for depression.",
        "https://doi.org/10.1016/j.jad.2017.05.048",
    ),
    Source(
        "read2014",
        "Read 2014",
        "Read J, Cartwright C, Gibson K (2014). Psychiatry Res 216:67-73.",
        "A survey of 1,829 adults in New Zealand who took antidepressants.",
        "https://pubmed.ncbi.nlm.nih.gov/24534123/",
    ),
    Source(
        "christensen2022",
        "Christensen 2022",
        "Christensen et al. (2022). Part I. Ann Gen Psychiatry.",
        "752 people with blunting in Brazil, Canada and Spain.",
        "https://doi.org/10.1186/s12991-022-00387-1",
    ),
    Source(
        "fagiolini2021",
        "Fagiolini 2021",
        "Fagiolini et al. (2021). J Affect Disord 283:472-479.",
        "An open-label study of people with blunting on an SSRI or SNRI, sponsored by a drug "
        "maker. Cited here only for how common blunting is.",
        "https://doi.org/10.1016/j.jad.2020.11.106",
    ),
    Source(
        "ma2021",
        "Ma 2021",
        "Ma H, Cai M, Wang H (2021). Front Psychiatry 12:792960.",
        "A review of blunting with antidepressants.",
    ),
    Source(
        "sansone2010",
        "Sansone 2010",
        "Sansone RA, Sansone LA (2010). Psychiatry (Edgmont) 7(10):14-18.",
        "A review of SSRI-induced indifference.",
    ),
    Source(
        "bylsma2008",
        "Bylsma 2008",
        "Bylsma, Morris, Rottenberg (2008). Clin Psychol Rev 28:676-691.",
        "19 laboratory studies of how people with depression react to good and bad things.",
    ),
    Source(
        "snaith1995",
        "Snaith 1995",
        "Snaith RP, Hamilton M, et al. (1995). Br J Psychiatry 167:99-103.",
        "The Snaith-Hamilton Pleasure Scale (SHAPS).",
    ),
    Source(
        "kroenke2001",
        "Kroenke 2001",
        "Kroenke, Spitzer, Williams (2001); Spitzer (1999), JAMA 282:1737.",
        "The PHQ-9.",
    ),
    Source(
        "blevins2015",
        "Blevins 2015",
        "Weathers et al. (2013); Blevins et al. (2015), J Trauma Stress.",
        "The PTSD Checklist for DSM-5 (PCL-5), from the US National Center for PTSD.",
    ),
    Source(
        "prins2016",
        "Prins 2016",
        "Prins et al. (2016). J Gen Intern Med 31:1206-1211.",
        "The Primary Care PTSD Screen for DSM-5 (PC-PTSD-5).",
    ),
    Source(
        "abrams1978",
        "Abrams 1978",
        "Abrams R, Taylor MA (1978). A rating scale for emotional blunting. Am J Psychiatry "
        "135:226-229.",
        "A scale clinicians fill in, from research on schizophrenia.",
    ),
    Source(
        "kilian2015",
        "Kilian 2015",
        "Kilian et al. (2015). PLoS One 10:e0127740.",
        "A systematic review of the scales for blunted affect.",
    ),
    Source(
        "nids",
        "J Clin Psychiatry",
        "J Clin Psychiatry 54:493-500 (PMID 7903967).",
        "On neuroleptic-induced deficit syndrome; cited from a secondary source.",
        "https://pubmed.ncbi.nlm.nih.gov/7903967/",
    ),
    Source(
        "bush1998",
        "Bush 1998",
        "Bush et al. (1998).",
        "The AUDIT-C: three questions about alcohol use.",
    ),
    Source(
        "skinner1982",
        "Skinner 1982",
        "Skinner (1982).",
        "The DAST-10: ten questions about drug use.",
    ),
    Source(
        "mundt2002",
        "Mundt 2002",
        "Mundt, Marks, Shear, Greist (2002). Br J Psychiatry 180:461-464.",
        "The Work and Social Adjustment Scale (WSAS).",
    ),
    Source(
        "haddad2007",
        "Haddad 2007",
        "Haddad & Anderson (2007). Adv Psychiatr Treat 13:447-457.",
        "Discontinuation symptoms happen with all classes of antidepressant.",
    ),
    Source(
        "hirsch2025",
        "Hirsch 2025",
        "Hirsch & Birnbaum. Antidepressant discontinuation syndrome. UpToDate, updated 2025.",
        "How often discontinuation symptoms happen, from meta-analyses.",
    ),
    Source(
        "ajp2019",
        "Am J Psychiatry 2019",
        "Treatment in Psychiatry (2019). Am J Psychiatry.",
        "A case report listing common discontinuation symptoms.",
    ),
    Source(
        "simon2013",
        "Simon 2013",
        "Simon GE, et al. (2013). Psychiatr Serv.",
        "84,418 outpatients: thoughts of death or self-harm and later suicide attempts.",
    ),
)
SOURCES: Final[Mapping[str, Source]] = {source.key: source for source in _SOURCE_LIST}

PAGES: Final[tuple[LearningPage, ...]] = (
    LearningPage(
        "what-is-emotional-blunting",
        "What is emotional blunting?",
        "When feelings go quiet: the good ones and the bad ones.",
        ("price2012", "christensen2022", "goodwin2017", "read2014"),
    ),
    LearningPage(
        "blunting-anhedonia-dissociation",
        "Blunting, anhedonia and dissociation",
        "How blunting differs from a loss of pleasure, from low mood, and from feeling unreal.",
        ("price2012", "snaith1995", "bylsma2008", "prins2016"),
    ),
    LearningPage(
        "causes",
        "What can cause emotional blunting?",
        "Medicines, depression, PTSD, schizophrenia, BPD, alcohol and drugs.",
        (
            "goodwin2017",
            "read2014",
            "fagiolini2021",
            "price2009",
            "ma2021",
            "sansone2010",
            "bylsma2008",
            "christensen2022",
            "blevins2015",
            "prins2016",
            "abrams1978",
            "kilian2015",
            "nids",
            "bush1998",
            "skinner1982",
        ),
    ),
    LearningPage(
        "how-it-is-assessed",
        "How a clinician assesses blunting",
        "What they ask, what they look for, and the questionnaires they may use.",
        (
            "price2012",
            "fagiolini2021",
            "snaith1995",
            "kroenke2001",
            "blevins2015",
            "mundt2002",
            "abrams1978",
        ),
    ),
    LearningPage(
        "relationships-and-work",
        "Blunting, relationships and work",
        "What quiet feelings can do to closeness, to daily life, and to work or school.",
        ("read2014", "price2012", "christensen2022", "mundt2002"),
    ),
    LearningPage(
        "managing-blunting",
        "Options for managing blunting",
        "A medication review with your prescriber, therapy, and everyday steps.",
        ("ajp2019", "haddad2007", "hirsch2025"),
    ),
    LearningPage(
        "when-to-seek-help",
        "When to seek help",
        "Signs that you need help now, signs to see a clinician soon, and who to call.",
        ("simon2013", "haddad2007"),
    ),
)
_BY_SLUG: Final[Mapping[str, LearningPage]] = {page.slug: page for page in PAGES}

SEEK_HELP: Final = "when-to-seek-help"
"""The page that shows the crisis card."""

LEARN_MORE: Final[Mapping[str, LearnLink]] = {
    "phq9": LearnLink(
        "blunting-anhedonia-dissociation", "depression", "Blunting, low mood or anhedonia?"
    ),
    "phq2": LearnLink(
        "blunting-anhedonia-dissociation", "depression", "Blunting, low mood or anhedonia?"
    ),
    "gad7": LearnLink(
        "how-it-is-assessed", "questionnaires", "How clinicians use questionnaires like this one"
    ),
    "pcl5": LearnLink("causes", "ptsd", "PTSD and emotional numbness"),
    "pcptsd5": LearnLink("causes", "ptsd", "PTSD and emotional numbness"),
    "auditc": LearnLink("causes", "substances", "Alcohol, drugs and emotional numbness"),
    "dast10": LearnLink("causes", "substances", "Alcohol, drugs and emotional numbness"),
    "blunting_check": LearnLink("what-is-emotional-blunting", None, "What is emotional blunting?"),
    "odq": LearnLink("what-is-emotional-blunting", None, "What is emotional blunting?"),
    "shaps": LearnLink("blunting-anhedonia-dissociation", "anhedonia", "Blunting or anhedonia?"),
    "wsas": LearnLink("relationships-and-work", None, "Blunting, relationships and work"),
}
"""The "Learn more" link under each questionnaire's result."""


def get_page(slug: str) -> LearningPage:
    page = _BY_SLUG.get(slug)
    if page is None:
        raise NotFound("There is no learning page at this address.")
    return page


def neighbours(page: LearningPage) -> tuple[LearningPage | None, LearningPage | None]:
    """The pages before and after `page` in reading order."""
    index = PAGES.index(page)
    before = PAGES[index - 1] if index > 0 else None
    after = PAGES[index + 1] if index + 1 < len(PAGES) else None
    return before, after


def learn_more_for(instrument_id: str) -> LearnLink | None:
    return LEARN_MORE.get(instrument_id)


def citer(page: LearningPage) -> CiteFunction:
    """The `cite` the page's template calls: a link to the source in the page's list.

    A key the page does not list raises, so a page cannot cite what its foot does not show (every
    page is rendered by the tests).
    """
    return CiteFunction(page)


@dataclass(frozen=True, slots=True)
class CiteFunction:
    page: LearningPage

    def __call__(self, *keys: str) -> Markup:
        for key in keys:
            if key not in self.page.sources:
                raise ValueError(f"{self.page.slug} cites {key!r}, which its sources do not list")
        links = "; ".join(
            f'<a href="#source-{escape(key)}">{escape(SOURCES[key].short)}</a>' for key in keys
        )
        return Markup(f'<span class="cite">({links})</span>')  # noqa: S704 - escaped above
