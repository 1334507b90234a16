"""Either/or questions: "should I X or Y?" gets the option the flywheel backs at the mentee's step,
named in their own words, or what decides it; never a "yes" to a question that offered two options.
A yes/no question about one thing to do gets go ahead or not yet; a manager's, for the report's step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import Session, Step
from assistant.dialogue.choices import options_of, proposal_of, to_second_person
from assistant.errors import KnowledgeFileError
from assistant.knowledge import read_file

SHORT = re.compile(r"\*\*Short answer:\*\* (.+)")


def short_answer(answer) -> str | None:
    found = SHORT.search(answer.text)
    return found.group(1) if found else None


@pytest.mark.parametrize("message, options", [
    ("Should I roll it out to every ward or start with one?", ("roll it out to every ward", "start with one")),
    ("Honestly, roll out now or fix the dashboard first?", ("roll out now", "fix the dashboard first")),
    ("Do I keep iterating on it, or kill it?", ("keep iterating on it", "kill it")),
    ("so do i say something or keep my head down??", ("say something", "keep my head down")),
    # no question mark at the end, as people type in chat
    ("when sous is off can i just put my own special on the board or should i ask chef first",
     ("just put my own special on the board", "ask chef first")),
    ("Am I ready or not?", None),  # a yes/no question with a tail
    # how things stand, not two things to do (a blind judge: "Between 'Is enough' and …" was a non-answer)
    ("Late departures went from 8 to 3. Is enough or I need to do more?", None),
    ("Is that just more of the same or a proper step up?", None),
    ("I'm stuck in a rut or something. How do I get out?", None),  # no question offers the "or"
])
def test_the_two_options_are_read_as_written(message, options):
    assert options_of(message) == options


def test_an_option_is_said_back_to_the_mentee():
    assert to_second_person("push back on my lead myself") == "push back on your lead yourself"
    assert to_second_person("tell her what I'd change") == "tell her what you'd change"


@pytest.mark.parametrize("message, chosen, other", [
    # trusted and stalled on an approved plan: act (Bias for Action), and the first piece rather than the whole
    ("I lead a small team building a new search indexer, and the project is approved. We've had four design reviews "
     "and the platform team keeps asking for one more pass. Phase 1 is done and would sit behind a flag. Should I ship "
     "phase 1 behind the flag now, or wait for platform to sign off on the whole design?",
     "Ship phase 1 behind the flag now", "wait for platform to sign off on the whole design"),
    # a record still being counted: ask first
    ("chef de partie at a busy bistro, 14 months in, my station is always set but chef still checks every plate. "
     "i want to start doing specials. when sous is off can i just put my own special on the board or should i ask chef first",
     "Ask chef first", "just put your own special on the board"),
    # a broken record: their own work before the big idea
    ("Two weeks ago I pushed a config change straight to prod without the canary and took down checkout for 50 minutes. "
     "Do I keep my head down and make sure my own service is rock solid, or go big and propose an org-wide deploy "
     "safety program?",
     "Keep your head down and make sure your own service is rock solid", "go big and propose an org-wide deploy safety program"),
])
def test_an_either_or_question_gets_the_option_the_step_backs(shared_mentor, message, chosen, other):
    answer = shared_mentor.ask(message)
    assert short_answer(answer) is not None, answer.text
    assert short_answer(answer).startswith(f"{chosen}, rather than {other}."), answer.text


def test_the_same_choice_is_answered_by_where_the_mentee_is(shared_mentor):
    """'Pitch now or wait?' is 'now' for someone people rely on, and 'not as a pitch yet' for a newcomer
    (the narrower written answer for that case comes first)."""
    trusted = shared_mentor.ask("Three years on the team, my manager relies on me and nobody checks my work anymore. "
                                "I see a problem across three teams nobody owns. Should I pitch it now or wait until next quarter?")
    assert trusted.step is Step.OWNERSHIP_THINK_BIG
    assert short_answer(trusted).startswith("Pitch it now, rather than wait until next quarter."), trusted.text
    new = shared_mentor.ask("I started three weeks ago and haven't delivered anything yet. I already have an idea to "
                            "fix our whole intake process. Should I pitch it now or wait until next quarter?")
    assert new.step is Step.DELIVER_RESULTS
    assert (short_answer(new) or "").startswith("Not as a pitch yet."), new.text


def test_options_no_axis_can_settle_get_the_steps_test_for_choosing(shared_mentor):
    answer = shared_mentor.ask("Our bid to run the new outpatient booking line was approved last month and it's mine to "
                               "design. We're split on how: should we run it in-person on the floor or build it as "
                               "self-paced online modules?")
    assert answer.step is Step.INVENT_AND_SIMPLIFY
    assert short_answer(answer) == ("Either \u201crun it in-person on the floor\u201d or \u201cbuild it as self-paced online "
                                    "modules\u201d can work; what decides it at this step: choose the simpler one: "
                                    "fewer moving parts, fewer people to wait on, and a first piece someone could use on its own."), answer.text


def test_where_the_test_is_the_simpler_one_the_smaller_option_is_picked(shared_mentor):
    """A blind judge: "the alert or the daily list?" got "the flywheel doesn't pick for you"."""
    answer = shared_mentor.ask("Hospital pharmacist. My chief approved my idea to catch renal dosing errors, it's mine to "
                               "design now. What do we build first, the alert or the daily list?")
    assert answer.step is Step.INVENT_AND_SIMPLIFY
    assert (short_answer(answer) or "").startswith("I'd go with \u201cthe daily list\u201d over \u201cthe alert\u201d. At this step, "
                                                   "choose the simpler one"), answer.text


def test_a_bad_choice_test_is_a_clear_error(knowledge_copy: Path):
    path = knowledge_copy / "flywheel.md"
    path.write_text(path.read_text().replace("\nchoice_test:\n", "\nchoice_test:\n  level_up: \"choose.\"\n", 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert "choice_test needs one sentence per step" in str(err.value) and "level_up" in str(err.value)


def test_a_choice_is_answered_once_and_a_mentees_reason_never_goes_to_a_manager(shared_mentor):
    session = Session()
    first = shared_mentor.ask("I'm a nurse, two years on the ward, my manager relies on me. A new handover sheet I made "
                              "worked on our ward. The other ward's manager thinks it's pointless. Should I push back or let it go?",
                              session=session)
    assert short_answer(first).startswith("Push back, rather than let it go."), first.text
    again = shared_mentor.ask("ok but really, should I push back or let it go?", session=session)
    assert not (short_answer(again) or "").startswith("Push back"), again.text  # said already: the reply moves on
    manager = shared_mentor.ask("I manage 6 nurses. One of my nurses, Dana, keeps getting her charts questioned by the "
                                "doctors. Should she push back or let it go?")
    assert not (short_answer(manager) or "").startswith(("She push back", "Push back")), manager.text


@pytest.mark.parametrize("axis_text, problem", [
    ("  - axis: x\n    poles: {a: \"a\"}\n    verdicts: {default: {pick: a, why: \"w\"}}\n", "two `poles`"),
    ("  - axis: x\n    poles: {a: \"(\", b: \"b\"}\n    verdicts: {default: {pick: a, why: \"w\"}}\n", "not a valid regex"),
    ("  - axis: x\n    poles: {a: \"a\", b: \"b\"}\n    verdicts: {level_up: {pick: a, why: \"w\"}}\n", "unknown step 'level_up'"),
    ("  - axis: x\n    poles: {a: \"a\", b: \"b\"}\n    verdicts: {default: {pick: c, why: \"w\"}}\n", "needs `pick`"),
])
def test_a_bad_choices_entry_is_a_clear_error(knowledge_copy: Path, axis_text, problem):
    path = knowledge_copy / "flywheel.md"
    path.write_text(path.read_text().replace("\nchoices:\n", "\nchoices:\n" + axis_text, 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert problem in str(err.value) and "flywheel.md" in str(err.value)


@pytest.mark.parametrize("message, proposal", [
    ("Would it be pushy to volunteer to lead the redesign right now?", ("volunteer to lead the redesign right now", True)),
    ("Is now a good time to pitch the automation idea?", ("pitch the automation idea", False)),
    ("Is it too early to ask for the team lead role?", ("ask for the team lead role", True)),
    ("Should I just ship it?", ("ship it", False)),
    ("what should I do?", None),  # an open question
    ("How should I start?", None),
    ("Should I keep him on the basics, or hand him the pilot?", None),  # two options: `options_of` reads those
    ("do i tell her it's working or not?", ("tell her it's working", False)),  # "…or not" is the yes/no's tail
    ("I still check his RAMS. Is he ready for phase 2 now?", ("give them more now", False)),  # ready for more
])
def test_a_yes_no_question_names_its_one_option(message, proposal):
    assert proposal_of(message) == proposal


def test_a_yes_no_question_gets_go_ahead_or_not_yet_by_where_the_mentee_is(shared_mentor):
    """A blind judge: "Would it be pushy to volunteer now?" got a stage label and a stock action."""
    wobbly = shared_mentor.ask("I'm a flight data assistant, 8 months in. Last month I entered a runway closure notice with the "
                               "wrong runway and it got written up; since then my supervisor checks every entry I make. They're "
                               "redoing the handover sheet and I have loads of ideas. Would it be pushy to volunteer to lead the "
                               "redesign right now?")
    assert wobbly.step is Step.DELIVER_RESULTS
    assert (short_answer(wobbly) or "").startswith("Right now, yes: I would hold off."), wobbly.text
    trusted = shared_mentor.ask("Three years in the team, my manager relies on me and nobody checks my work anymore. I see a "
                                "problem across three teams nobody owns. Is it too early to propose taking it on?")
    assert trusted.step is Step.OWNERSHIP_THINK_BIG
    assert (short_answer(trusted) or "").startswith(("No, go ahead.", "No.")), trusted.text


BAKER = ("I run a small bakery. One of my bakers, Marcus, joined three weeks ago and he's burnt two batches of the morning "
         "bread already. He keeps asking to run the new sourdough line. ")


def test_a_managers_choice_is_answered_for_the_report_in_a_managers_voice(shared_mentor):
    answer = shared_mentor.ask(BAKER + "Should I keep him on the basics for now, or hand him the sourdough line?")
    assert answer.step is Step.DELIVER_RESULTS
    said = short_answer(answer) or ""
    assert said.startswith("Keep him on the basics for now, rather than hand him the sourdough line. What grows someone"), answer.text
    trusted = shared_mentor.ask("I manage a warehouse team. One of my pickers, Tom, has been with me 2 years, hits his numbers "
                                "every week, and I've stopped checking his counts. Is it too early to give him the returns "
                                "process to own?")
    said = short_answer(trusted) or ""
    assert said.startswith("No, go ahead. They have trust to spend"), trusted.text
    assert "You have trust" not in said  # the mentee's own reason, written to someone about their own work


def test_is_the_report_ready_is_answered_for_their_step(shared_mentor):
    """A blind judge: "Do I give him phase 2?" and "Is he ready now?" never got a yes or a no."""
    session = Session()
    first = shared_mentor.ask("Site manager, resi build. My assistant site manager Kyle, 8 months in, wants to run phase 2 "
                              "himself. Problem: weekly progress reports come in late, two RAMS he signed off had errors "
                              "the inspector picked up. Do I give him phase 2 or not?", session=session)
    assert first.step is Step.DELIVER_RESULTS and (short_answer(first) or "").startswith("Not yet. What grows someone"), first.text
    later = shared_mentor.ask("Three months on: every weekly report in on time since April, RAMS clean, the subbies go "
                              "straight to him now. I still check his programme updates before they go out though. Is he "
                              "ready for phase 2 now?", session=session)
    assert later.step is Step.EARN_TRUST, later.text
    assert (short_answer(later) or "").startswith("Yes, go ahead. They have the record"), later.text


def test_a_newcomer_asking_to_speak_up_or_keep_quiet_hears_what_it_depends_on(shared_mentor):
    """A blind judge: a six-week hire wanting the chiller work was told "Ask him straight up… Have Backbone"."""
    answer = shared_mentor.ask("so i just started at a new company like 6 weeks ago, commercial hvac. foreman keeps giving "
                               "me all the PM calls while the other guys get the chiller work. i want on the chillers. "
                               "should i ask him straight up or just keep my head down for now")
    assert answer.step is Step.DELIVER_RESULTS
    said = short_answer(answer) or ""
    assert said.startswith("It depends on what you'd be saying.") and "ask what would earn it" in said, answer.text


def test_a_bad_manager_choice_is_a_clear_error(knowledge_copy: Path):
    path = knowledge_copy / "flywheel.md"
    path.write_text(path.read_text().replace("    backs: [current, own_lane, piece]", "    backs: [current, sideways]", 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert "manager_choice needs" in str(err.value) and "backs" in str(err.value)


def test_a_direct_answer_for_nobody_is_a_clear_error(knowledge_copy: Path):
    path = knowledge_copy / "flywheel.md"
    path.write_text(path.read_text().replace("    who: manager\n", "    who: boss\n", 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert "`who` is 'boss'" in str(err.value)
