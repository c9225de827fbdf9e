"""Shared fixtures: the project root, the merged real graph (parsed once per session), the
source documents and the built site; the markers of slow and external-tool tests."""

import glob
import os
import types
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent

# graph/ locates its quotes in the source texts (laokg.graph.claims): tests that copy the
# project to a temporary folder (where ../shared/seeds is not beside it) read them from here
os.environ.setdefault("LAOKG_SEEDS", str(ROOT.parent / "shared" / "seeds"))
# a never-built project is read from its Turtle, as the tests expect, not from a store built on
# first use in the user's cache (laokg.query.cache); tests/test_query_path.py turns it on
os.environ.setdefault("LAOKG_CACHE", "off")


def turtle_files(*patterns):
    return [Path(p) for pattern in patterns for p in sorted(glob.glob(str(ROOT / pattern)))]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def real_graph():
    """ontology + vocab + graph, merged and the claims expanded, exactly as `laokg validate`
    sees it."""
    from laokg.graph.load import load_data_graph

    g = Graph()
    for triple in load_data_graph(ROOT):
        g.add(triple)
    return g


@pytest.fixture(scope="session")
def seeds():
    """The folder of source documents (``$LAOKG_SEEDS``, else ../shared/seeds): skipped where it
    is missing, a failure on CI (``CI`` set), so the checks on them never skip silently there."""
    from laokg.provenance.curation import seeds_dir

    path = seeds_dir(ROOT)
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"source documents not found at {path}; set LAOKG_SEEDS")
        pytest.skip(f"source documents not found at {path}")
    return path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`laokg site` built once per session (with the release files), for the site tests."""
    from laokg.publish.site import build_site

    return build_site(ROOT, tmp_path_factory.mktemp("site") / "site")


# ---------------------------------------------------------------- markers
# Registered in pyproject.toml. Applied here, centrally, so a new test is marked by what it uses
# rather than by a decorator someone must remember: a test (or a fixture it requests) whose code
# names one of the helpers below needs that external tool; whole modules that are about one tool
# or that are measured as slow are listed by name. `make test-fast` deselects them all.

#: marker -> names whose use in a test's or fixture's code means the test needs that tool
USES = {
    "browser": {"Browser", "axe_path", "chromium_path"},
    "jena": {"jena_support"},
    "grlc": {"grlc_python"},
    "server": {"Oxigraph", "push_real_graph", "free_port", "oxigraph_command"},
    "virtuoso": {"virtuoso", "Virtuoso"},
    # builds something big: the whole site (build_site, the session's built_site: ~30 s of CPU)
    # or a release with its query store (build_release)
    "slow": {"build_site", "built_site", "build_release"},
}

#: a parametrized test runs its first FAST_CASES cases (in collection order) in the fast subset;
#: its other cases are marked `slow`, so the fast subset still runs every test's code once or more
FAST_CASES = 3

#: marker -> test modules (file stems) marked as a whole
MODULES = {
    "browser": {"test_site_browser"},
    "grlc": {"test_grlc"},
    "scale": {"test_validate_scale"},
    "slow": {"test_golden"},  # whole files measured slow; single tests: SLOW_TESTS
}


#: tests (module::function, every parameter) marked slow: the calls over 6.5 s in `--durations`
#: of the fast subset on the shared 2-core machine (load ~10), 2026-12-06, and those over 10 s
#: in the next run (load ~12: the fast subset then took 40 min, 6 min of CPU), 2026-12-07, and
#: those over 5 s (call or setup) in the fast subset on two xdist workers (load ~6), 2026-12-07
SLOW_TESTS = {
    "test_audit::test_cli_runs_the_rules_on_oxigraph_with_the_same_report",
    "test_audit::test_ontology_and_vocabularies_alone_trigger_nothing",
    "test_audit::test_real_graph_findings",
    "test_binding::test_hostile_values_never_change_the_query_structure",
    "test_binding::test_hostile_values_return_only_the_intended_binding",
    "test_budget::test_a_5_mb_literal_is_parsed_within_the_memory_budget",
    "test_budget::test_a_limit_hit_while_streaming_is_one_line_after_the_rows_written",
    "test_budget::test_a_streamed_result_does_not_make_memory_grow",
    "test_budget::test_hostile_queries_end_within_their_budget_with_one_line",
    "test_build::test_real_build",
    "test_claims::test_a_quote_not_in_the_document_is_an_error_at_its_line_with_the_difference",
    "test_claims::test_the_three_loaders_give_the_same_expanded_graph",
    "test_cli_query::test_parameter_misses_list_the_nearest_values_with_labels",
    "test_cli_query::test_parameters_in_plain_words",
    "test_cli_query::test_query_show_lists_allowed_values_by_label",
    "test_cli_query::test_select_star_json_is_the_same_bytes_under_any_hash_seed",
    "test_cli_query::test_the_same_labels_on_every_engine",
    "test_dependencies::test_every_imported_package_is_declared",
    "test_dependencies::test_nothing_declared_goes_unused",
    "test_export::test_real_export_parses_back_isomorphic",
    "test_formats::test_real_tables_fit_an_80_column_terminal",
    "test_generate::test_output_is_deterministic",
    "test_generate::test_planted_mode_gives_exactly_the_planted_violations",
    "test_owl::test_hermit_finds_the_ontology_and_the_graph_consistent",
    "test_oxigraph_engine::test_audit_report_is_the_same_with_the_rules_on_oxigraph",
    "test_oxigraph_engine::test_build_writes_a_store_that_queries_use_until_a_file_changes",
    "test_oxigraph_engine::test_real_graph_same_output_on_both_engines",
    "test_oxigraph_engine::test_synthetic_graph_same_output_on_both_engines",
    "test_oxigraph_engine::test_the_text_the_engine_writes_is_the_text_of_its_rows",
    "test_packaging::test_installed_build_and_site_write_into_the_current_directory",
    "test_packaging::test_installed_laokg_root_choices",
    "test_parity::test_same_bytes_on_pyoxigraph",
    "test_parity::test_same_bytes_under_three_hash_seeds",
    "test_query_facts::test_after_a_build_every_saved_query_gives_the_same_bytes",
    "test_query_path::test_an_added_triple_is_in_the_rebuilt_store",
    "test_query_path::test_changing_a_source_file_builds_the_store_again",
    "test_query_portability::test_every_literal_survives_oxigraph",
    "test_release::test_a_crash_at_every_step_leaves_the_old_or_the_new_release",
    "test_release::test_a_crash_during_the_first_build_over_an_old_dist_leaves_no_dangling_link",
    "test_remote::test_a_huge_select_answer_is_streamed_within_the_memory_budget",
    "test_remote::test_a_huge_select_answer_kept_whole_stops_at_the_memory_budget",
    "test_shacl_engines::test_planted_violations_same_report",
    "test_shacl_engines::test_real_graph_same_report",
    "test_shapes::test_every_sparql_constraint_is_exercised",
    "test_site::test_cli_build_site_writes_release_and_site",
    "test_site::test_cli_site_serve_on_a_taken_port_is_one_line",
    "test_site::test_entity_rdf_matches_laokg_show_for_one_entity_of_every_type",
    "test_site::test_every_topic_table_is_the_cli_answer",
    "test_site::test_two_builds_give_the_same_bytes",
    "test_site_safety::test_a_dot_segment_iri_does_not_overwrite_a_project_file",
    "test_site_safety::test_a_symbolic_link_in_the_output_directory_is_refused",
    "test_site_safety::test_fuzz_hostile_data_stays_inside_and_inert",
    "test_site_safety::test_more_dot_segments_do_not_leave_an_output_directory",
    "test_site_safety::test_names_differing_only_in_case_are_both_written_with_a_warning",
    "test_startup::test_a_saved_query_is_parsed_once_per_run",
    "test_startup::test_after_a_build_a_saved_query_is_not_parsed_at_all",
    "test_stats::test_counted_on_term_strings_on_a_synthetic_project",
    "test_storeview::test_labels_node_by_node_are_the_index_labels",
    "test_storeview::test_search_from_the_label_index_is_the_same",
    "test_storeview::test_search_is_the_same_on_both_engines",
    "test_storeview::test_show_is_the_same_on_both_engines",
    "test_storeview::test_stats_of_the_synthetic_store",
    "test_storeview::test_the_reading_commands_answer_from_the_built_store",
    "test_storeview::test_trace_is_the_same_on_both_engines",
    "test_time::test_as_of_ignores_a_built_store",
    "test_time::test_build_writes_the_changes_against_the_previous_release",
    "test_time::test_diff_of_two_graph_files_and_a_release",
    "test_time::test_python_api_as_of",
    "test_time::test_site_entity_pages_and_changes_page",
    "test_time::test_the_lao_editions_as_of_on_rdflib_and_oxigraph",
    "test_time::test_the_lao_profile_counts_from_its_july_2025_update",
    "test_time::test_the_text_view_is_the_graph_view",
    "test_trace::test_ambiguous_label_lists_the_candidates",
    "test_trace::test_source_cited_in_the_text",
    "test_w3id::test_the_site_publishes_the_shapes_the_redirect_points_to",
    "test_writers::test_oxigraph_text_and_rdflib_graph_give_the_same_bytes",
}


def _names(code: types.CodeType) -> set[str]:
    found = set(code.co_names) | set(code.co_varnames) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def _used_names(item) -> set[str]:
    found: set[str] = set()
    function = getattr(item, "function", None)
    if function is not None and hasattr(function, "__code__"):
        found |= _names(function.__code__)
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        for fixturedef in defs:
            func = getattr(fixturedef, "func", None)
            if func is not None and hasattr(func, "__code__"):
                found |= _names(func.__code__)
    return found


def pytest_collection_modifyitems(config, items):
    cases: dict[tuple[str, str], int] = {}
    for item in items:
        if getattr(item, "callspec", None) is not None:
            key = (str(item.path), getattr(item, "originalname", item.name))
            cases[key] = cases.get(key, 0) + 1
            if cases[key] > FAST_CASES:
                item.add_marker("slow")
        stem = item.path.stem if getattr(item, "path", None) else ""
        used = _used_names(item)
        for marker, names in USES.items():
            if used & names or marker in stem:
                item.add_marker(marker)
        if f"{stem}::{getattr(item, 'originalname', item.name)}" in SLOW_TESTS:
            item.add_marker("slow")
        for marker, stems in MODULES.items():
            if stem in stems:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """Virtuoso 7 (Debian virtuoso-opensource-7-bin) started once per session on loopback
    ports, the project's graph pushed into it by `laokg push`; stopped at the end."""
    from .servers import Virtuoso, push_to_virtuoso

    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.push_result = push_to_virtuoso(server)
        yield server
    finally:
        server.stop()
