"""The offline mentor as a conversation: facts, moves, placement, no repeats, the scope line."""

from __future__ import annotations

import re

import pytest

from assistant import Session, Step
from assistant.dialogue.composer import A_NO, DESK_ONLY, SOFTWARE_ONLY
from assistant.dialogue.manager import is_factual
from assistant.dialogue.placement import place, stage_from_facts
from assistant.dialogue.profile import Profile
from assistant.dialogue.understanding import classify_move, find_denials, find_facts, key_phrases
from assistant.prompts import render_mentee

INTERNAL = re.compile(r"You may be at this step|Things to do now|\{thing[}|]|next_actions|moves_on_when|keywords:")


@pytest.mark.parametrize("message, present, absent", [
    ("I'm a new grad, three weeks in, and nobody knows me yet", {"new_in_role"}, {"trusted"}),
    ("My config push took down checkout for an hour last week", {"caused_incident"}, {"failed"}),
    ("I've hit every sprint commitment for a year and my PRs get approved fast", {"has_track_record"},
     {"idea_approved", "shipped"}),
    ("My manager doesn't trust me with anything big", set(), {"trusted"}),
    ("My director trusts me and I want to own something bigger", {"trusted", "wants_scope"}, set()),
    ("pitched it to my skip and she said yes!", {"idea_approved"}, {"manager_said_no"}),
    ("he said no, our roadmap is full", {"manager_said_no"}, {"idea_approved"}),
    ("It's been 3 months of design reviews and there's no code yet", {"stuck_in_analysis"}, set()),
    ("we launched it and 12 teams are using it", {"shipped"}, {"failed"}),
    ("the project got cancelled and nobody adopted it", {"failed"}, {"shipped"}),
    ("I missed my last three deadlines", {"slipping"}, {"failed"}),
    ("How do I help my direct report who keeps missing deadlines?", {"manages_others", "slipping"}, set()),
    # What didn't happen isn't a fact: a hypothetical, a routine delivery, a "not yet".
    ("If I overrule the seniors they'll disengage, and a wrong call here costs us a year", set(), {"failed"}),
    ("they deployed the API and I shipped the ticket", set(), {"shipped"}),
    ("he liked it but said to 'think about it more'", {"manager_said_no"}, {"idea_approved"}),
    ("I wrote a one-pager and my director said go for it", {"idea_approved"}, set()),
    ("my manager said to go ahead and fix the flaky test", set(), {"idea_approved"}),
    ("it's behind a flag for two teams and they're using it daily", {"shipped"}, set()),
    # From two review conversations: a plan, a ticket, a rehearsal, a question and a test suite aren't outcomes.
    ("simplest version first. Then milestones: shadow-run, cut over one type, cut over all three", set(), {"shipped"}),
    ("ok. I shipped the API field ticket, merged today. what now?", set(), {"shipped"}),
    ("Shadow-run is live for the first job type since Monday", set(), {"shipped", "new_in_role"}),
    ("so do i roll back? or keep going and fix latency?", set(), {"failed"}),
    ("now i wanna set up automated regression for all 15 of our client sites", set(), {"failed"}),
    # ... and not checking someone's work is trust, while handing the work to someone else is the opposite.
    ("my manager never second-guesses my calls, and I'm the one they page for the nasty escalations", {"trusted"}, set()),
    ("he gave me the automation outright, doesnt even check my scripts just merges them", {"trusted"}, {"failed"}),
    ("asked my boss twice if i can do the test automation but he gave it to the new dev guy", {"checked_closely"}, set()),
    ("no, nothing is approved. she said 'write it up', that's all", {"pitching"}, {"idea_approved"}),
    ("I am analyst. Not manager. I make mistakes in my reports and sometimes late.", set(), {"manages_others"}),
    # ... and in the words of a second pair of review conversations
    ("CFO said 'not now' - budget freeze through Q3, no new FTEs.", {"manager_said_no"}, {"idea_approved"}),
    ("My pitch for a shared lab booking system got a no from my PI. What do I do now?", {"manager_said_no"}, set()),
    ("the new rota idea got no traction at all", set(), {"manager_said_no"}),
    # a purpose is a goal, not a fact: "so the sous chef learns they can rely on me"
    ("Two weeks in at a bistro. What should I focus on so the sous chef learns they can rely on me?",
     {"new_in_role"}, {"trusted"}),
    ("I shipped every order on time, so now my boss trusts me with the big accounts.", {"trusted"}, set()),
    # ... and in the words of two blind reviewers' mentees (session 18)
    ("It opened. The opening evening was lovely, but since then almost nobody stops.", {"shipped"}, set()),
    ("it opened a can of worms with the other wards", set(), {"shipped"}),
    # (session 19) the old way given up and time given back is a success, not a flop
    ("ran both side by side for 2 months, numbers reconciled, they stopped rebuilding. 3 days a month back for 4 people.",
     {"shipped"}, {"failed"}),
    ("the numbers never reconciled and they stopped using it", set(), {"shipped"}),
    ("Hello. I am robot technician since 6 years. When line stops they call me first, my supervisor sign my "
     "maintenance reports without reading.", {"trusted"}, set()),
    ("Plant manager say ok, I have 2 hours every shift for this until summer shutdown.", {"idea_approved"}, set()),
    ("she wants me to lead the ios side of the card controls redesign next quarter. its mine.", {"idea_approved"}, set()),
    ("rewrite all 4 in swiftui or keep objc and bridge? team is split", set(), {"checked_closely"}),
    ("So I pitched it to our head of product. Her answer: 'love this, but not this half'", {"manager_said_no"}, set()),
    ("I want to pitch it, but not yet", set(), {"manager_said_no"}),
    # a wrong bet owned openly, then a bigger area offered: the offer is the news (a blind judge saw "agree a shutdown date")
    ("Talked to EM, owned that the docs-only thing flopped. He was cool about it and asked if I'd want to own "
     "'background jobs' as an area next half. Is that a promotion thing or just more work lol", {"trusted"}, {"failed"}),
    ("the launch flopped and I told my boss it failed", {"failed"}, set()),
    ("billing's been clean for 3 weeks. But adoption from other teams is basically zero. I built a self-serve template "
     "and exactly one team used it.", {"failed"}, set()),
    ("my charge nurse re-reads every single one of my charts", {"checked_closely"}, set()),
    ("Ok. I started only with yogurt category, 3 week ago, the planners are ordering with it now.", {"shipped"}, set()),
    ("update: did book-at-checkout for 6 weeks, perio return went from about 60% to 71%.", {"shipped"}, set()),
    ("ok its been about 10 weeks. no misses. but dr k still re-reads every single one of my perio charts",
     {"has_track_record", "checked_closely"}, set()),
    ("we agreed spot checks. 2 months on she doesnt check at all, she even sends the nervous patients to me now.",
     {"trusted"}, {"idea_approved"}),
    ("In january my director approve my idea to make new safety stock model", {"idea_approved"}, set()),
    ("ok so that actually worked, they're letting me do the brunch pastry as a 3 month trial", {"idea_approved"}, {"shipped"}),
    ("foreman, 14 guys. one of my journeymen, Dez, never late. he told me he's bored. what do I give him?",
     {"manages_others"}, set()),
    ("My assistant PM, Dana, has been with me 14 months. She's solid.", {"manages_others"}, set()),
    # ... but to an apprentice "my journeyman" is the boss (a blind reviewer's apprentice was coached as a manager)
    ("Hello. I am second year apprentice electrician. My journeyman give me only pulling wire, carry material",
     set(), {"manages_others"}),
    ("my apprentice keeps forgetting the permits. how do I help him?", {"manages_others"}, set()),
    # (session 19) a chef de cuisine about "my saucier Marco": someone who has been with them for months
    ("Chef de cuisine at a hotel. My saucier Marco has been with me 8 months. I still taste every one of his sauces.",
     {"manages_others"}, set()),
    ("My mentor has been with me through all of it and my boss works for the CEO", set(), {"manages_others"}),
    ("I run the night shift at a wholesale bakery, 14 staff. One of my bakers, Marcus, 2 years with us, keeps asking to "
     "run the new sourdough line. How do I tell him he's not ready?", {"manages_others"}, set()),
    ("one of my shifts, today, was awful. One of my colleagues, Sam, got the project", set(), {"manages_others"}),
    # (Y+Z) a learner's "my team leader read every my report" is her documents being checked, not her reports
    ("I am social worker in child protection team in Dublin. I never miss deadline. But my team leader read every my "
     "report before it go out.", {"checked_closely"}, {"manages_others"}),
    ("he reads all the news", set(), {"checked_closely"}),
    # (Y+Z) a head chef about his commis: someone on their section they ask how to handle
    ("got a lad on my section, 19, commis, been with us 5 months. his mise en place is never done by service. how do I "
     "handle him without killing the enthusiasm", {"manages_others"}, set()),
    ("I have a new manager on my floor and she checks everything. how do I handle her?", set(), {"manages_others"}),
    ("I lead a small team building a new search indexer. Should I ship phase 1 now?", set(), {"manages_others"}),
    ("one of my journeymen, Dez. never late, his rough-in passes inspection first time every time, I hand him a floor and "
     "forget about it. he told me he's bored and wants to 'do more'", {"has_track_record", "trusted", "wants_scope"}, set()),
    ("I took it to the PM, PM said go ahead, Dez can run it on the hospital job.", {"idea_approved"}, set()),
    ("it's been 3 weeks of him 'tweaking the checklist' and the crew is still ordering the old way", {"stuck_in_analysis"}, set()),
    ("used it 6 weeks on floors 3 to 5. waste down about 30% on those floors", {"shipped"}, set()),
    ("been at the shop 2 yrs. comebacks basically zero, highest flat rate hrs in the shop last 3 months. boss still gives "
     "every hybrid + electrical job to dave", {"has_track_record", "checked_closely"}, set()),
    ("then 2 more hybrids solo no comebacks. boss sends me hybrid stuff now, didnt even look at the last one",
     {"trusted"}, set()),
    ("boss said go. budget for a 2nd hybrid scan tool and told me to train kyle.", {"idea_approved"}, set()),
    ("Last month I made big mistake, I uploaded wrong file for the bonus run", {"caused_incident"}, set()),
    ("I made a big mistake moving here", set(), {"caused_incident"}),
    ("I'm the one they send to the ICU when the med carts stop talking to the EHR at 3am", {"trusted"}, set()),
    ("Trial's over. Loaves sold out every single day.", {"shipped"}, set()),
    ("After 3 month, window deviations in the 4 studies go from 9 to 1.", {"shipped"}, set()),
    ("we turned away 1 hybrid last month vs like 14 the month before", {"shipped"}, set()),
    ("ok so. one of my reports went out with wrong numbers, i used the wrong date filter", set(), {"manages_others"}),
    ("My director agree last week that I can build new forecast model", {"idea_approved"}, set()),
    ("update 2 months in: zero waste issues since. chef put me back on saturday nights but he still checks my prep "
     "list every morning", {"has_track_record", "checked_closely"}, {"new_in_role"}),
    ("Results are bad honestly. Forecast error is almost same like the excel, overtime hours did not go down.",
     {"failed"}, {"shipped"}),
    ("I give Poznan shift managers the forecast two weeks ago, they use it for planning the schedule now", {"shipped"}, set()),
    ("we got IT to sign off on a two-crew pilot and it's been in their hands since May.", {"shipped"}, set()),
    ("flipped it on for half the team. avg build went from 40 to 14 min", {"shipped"}, set()),
    ("numbers are mixed: win rate dropped from 27% to 19%", {"failed"}, set()),
    # (AA+AB) any job's people after "one of my", named or talked about, and "I manage six auditors"
    ("Ops manager at a 3PL DC. One of my shift leads, Marcus, redesigned the pick paths in zone C.", {"manages_others"}, set()),
    ("I manage six auditors. Priya is my best senior associate and she wants a bigger problem", {"manages_others"}, set()),
    ("one of my patients said she was cold all night", set(), {"manages_others"}),
    # a report asking the manager for more is not the manager's trust in them
    ("Now she's come to me asking to lead our falls-prevention initiative", set(), {"trusted"}),
    ("everyone on the ward comes to me when the pumps act up", {"trusted"}, set()),
    # slips in a nurse's words
    ("her charting is routinely still open at the end of shift and she's had two late med passes flagged by pharmacy",
     {"slipping"}, set()),
    ("the audit she turned in was rushed, about half the rooms weren't actually checked", {"slipping"}, set()),
    ("we had three late deliveries this month from the supplier", set(), {"slipping"}),
    ("plumber, 2 years. van stock is a mess. boss said sort it out, its mine. where do i start", {"idea_approved"}, set()),
    ("14 booked, 5 actualy turned up, only 2 came back for the 2nd weigh in. PM says its not worth the afternoon",
     {"failed"}, set()),
    ("I did the list by hand from the lab system every morning, 2 weeks in one ICU", set(), {"new_in_role"}),
    ("every close on time since feb, the controller hasnt had a single correction on my stuff", {"has_track_record"}, set()),
    ("One of my pickers, Dani, honestly one of the most reliable people I've got, never late, hits rate every week",
     {"has_track_record", "manages_others"}, set()),
    ("My general manager give me all the difficult guests and complaints", {"trusted"}, set()),
    # (AC+AD, read after their verdicts) any job's people, learners' time words, QA incidents, a record that just broke
    ("I'm a deputy head and I line manage most of our KS1 staff. One of my Year 2 teachers, Priya, is in her fifth year "
     "and honestly she's the one I never worry about – her planning is always in on time, I stopped looking at her books",
     {"manages_others", "has_track_record", "trusted"}, set()),
    ("QA manager, food packaging plant. one of my inspectors, 10 yrs in, normally solid. last month signed off a batch "
     "w/o doing the seal pull tests. batch leaked at the customer, we ate a 40k credit.", {"manages_others", "caused_incident"}, set()),
    ("My assistant site manager Kyle wants to run phase 2. weekly progress reports come in late, two RAMS he signed off "
     "had errors the H&S inspector picked up", {"manages_others", "slipping"}, {"idea_approved"}),
    ("I am working in bank as customer advisor since 5 months. my compliance files sometimes come back for correction",
     {"new_in_role", "slipping"}, set()),
    ("all my PMs done on time, foreman even said nice job once. but then had a callback tuesday, i missed a loose lug",
     {"slipping"}, {"has_track_record"}),
    ("croissants and pain au choc have been made in house for 3 weeks now. they're the first thing to go off the buffet",
     {"shipped"}, set()),
    ("food cost up 22%, and breakfast guest scores haven't moved at all. he's asking if we should just go back to frozen",
     {"failed"}, set()),
    ("She's been saying for a while that our phonics results are poor", set(), {"failed"}),
    # older reviewers' conversations that the session's new patterns had misread (the replay caught them)
    ("fw engineer, 2y. pushed an OTA update last month without running full regression on the older hw rev. bricked ~300 "
     "units in the field.", {"caused_incident"}, {"failed"}),
    ("update: 6 weeks of same-day notes, zero flags. buuut my lead still reviews every custom splint plan i write",
     {"has_track_record", "checked_closely"}, set()),
    ("he said 'you obviously think about this more than I do, come back to me with what we should do about energy'",
     {"trusted"}, set()),
    ("Code is ready since 3 weeks. But now security review wants more documents", set(), {"new_in_role"}),
    ("hi. i am shift supervisor in warehouse since 8 month. before i was picker 3 years.", set(), {"new_in_role"}),
    ("So she has the plan. But its been 3 weeks and she hasnt moved one pallet.", set(), {"failed"}),
    ("plan's done, flyers went home. only 9 families signed up out of about 60.", set(), {"failed"}),
])
def test_facts_are_read_from_the_mentees_words(message, present, absent):
    facts = find_facts(message)
    assert present <= set(facts), facts
    assert not absent & set(facts), facts


@pytest.mark.parametrize("message, denied", [
    ("wtf?? it didnt fail, it went great. he trusts me now", {"failed"}),
    ("wait, nothing is out there yet, I haven't built anything. I just have the plan.", {"shipped"}),
    ("no nothing is aproved its a 'maybe'", {"idea_approved"}),
    ("Please, I say again, I am NOT a manager. Nobody reports to me.", {"manages_others"}),
    ("she still doesn't trust me with the roadmap", {"trusted"}),
])
def test_a_mentee_can_tell_us_a_fact_is_wrong(message, denied):
    assert denied <= find_denials(message)
    assert not denied & set(find_facts(message))


def test_a_denied_fact_leaves_the_profile_and_stops_placing_the_mentee(shared_mentor):
    session = Session()
    shared_mentor.ask("we launched the new scheduler last month and it flopped, only 2 of 40 teams use it", session=session)
    assert session.profile.has("failed")
    shared_mentor.ask("wait, it didn't fail, it went great: he trusts me now and asks me before quoting clients", session=session)
    assert not session.profile.has("failed") and session.profile.has("trusted")
    assert session.step is Step.OWNERSHIP_THINK_BIG


def test_key_phrases_are_the_mentees_own_names_for_their_work():
    assert key_phrases("I work on the payments migration with the billing team") == [
        "the payments migration", "the billing team"]
    assert key_phrases("I lead my team") == []  # generic: nothing of theirs to echo
    assert key_phrases("our deploy pipeline keeps breaking") == ["your deploy pipeline"]
    # From review conversations, each used in an action: a count, someone else's work, the thing being replaced.
    assert key_phrases("the platform team lead? the 30 team leads?") == []
    assert key_phrases("a guy in my cohort is already rewriting the logging library") == []
    assert key_phrases("I proposed we replace our homegrown job queue with something sane") == []
    # a blind reviewer's pastry chef was told to work on "the problem around your stuff before service"
    assert key_phrases("the exec chef doesn't even taste my stuff before service anymore") == []
    # a reviewer was told to "post a two-line update on the guy whose project in your team channel"
    assert key_phrases("i got moved under the guy whose project replaced mine") == []


@pytest.mark.parametrize("opening, drawn_line, later, heard, crossing", [
    # a reviewer was told "bring it to your manager" and "tell your manager by Friday" right after saying this
    ("i've been the go-to person on the claims dashboards for two years and i'm bored, i pitched a fraud model to my "
     "manager and she said no until next year",
     "i am NOT going back to my manager with another pitch this year. what can i do inside my current job so i'm not bored?",
     "ok what else could i do this month?",
     "Understood: nothing that goes through your manager for now.", r"\b(?:your|the) (?:manager|boss)\b|\b1:1\b"),
    # a reviewer was told "Count the tasks you have in progress right now" and "your top task" here
    ("hi, i just started as a junior backend dev 3 weeks ago, first job out of college. everyone seems so much faster "
     "than me and i don't really know what i should be focusing on",
     "ok but honestly i don't even have my own tickets yet, i'm mostly pairing with my onboarding buddy and reading code",
     "what else should i do this week?",
     "Got it: nothing of your own to finish yet, so the first job is getting some.",
     r"tasks? you have|your top task|in progress|what landed"),
])
def test_a_line_the_mentee_draws_is_kept_for_the_rest_of_the_conversation(shared_mentor, opening, drawn_line, later,
                                                                          heard, crossing):
    session = Session()
    shared_mentor.ask(opening, session=session)
    drawn = shared_mentor.ask(drawn_line, session=session)
    after = shared_mentor.ask(later, session=session)
    assert drawn.text.startswith(heard), drawn.text
    for answer in (drawn, after):
        advice = answer.text.split(heard)[-1]  # the acknowledgement itself names the line
        assert not re.search(crossing, advice, re.I), answer.text


def test_an_off_topic_aside_mid_conversation_leaves_the_wheel_and_keeps_the_step(shared_mentor):
    session = Session()
    shared_mentor.ask("data analyst, 3 years in, my manager trusts me and never checks my SQL, but I'm bored of the "
                      "same monthly dashboards", session=session)
    step = session.step
    # a reviewer's sourdough question was placed at Ownership and Think Big
    aside = shared_mentor.ask("ok thanks. last one, unrelated: do you know a good sourdough starter recipe? my kid wants to bake",
                              session=session)
    assert aside.step is None and not aside.in_scope, aside.text
    assert session.step is step
    back = shared_mentor.ask("ok back to work stuff, what should I do this week?", session=session)
    assert back.step is not None and back.in_scope


def test_a_bet_that_paid_off_is_not_told_to_pull_the_plug(shared_mentor):
    session = Session()
    shared_mentor.ask("we did the design for the shared build cache, rollout in 3 milestones, but we've been debating "
                      "eviction policy for 3 weeks", session=session)
    paid_off = shared_mentor.ask("shipped it. after 2 months, 40 teams use it now and median build time went from 40 min to 12",
                                 session=session)
    and_then = shared_mentor.ask("ok and then? the tech director just asked me to present it at the all-hands", session=session)
    assert paid_off.step is Step.ARE_RIGHT_A_LOT, paid_off.text
    for answer in (paid_off, and_then):
        # a reviewer read "the honest question is whether it did what you hoped" and "pull the plug on it" here
        assert not re.search(r"pull the plug|self-critical|whether it did what you hoped", answer.text, re.I), answer.text


@pytest.mark.parametrize("facts, known, expected", [
    ({"wants_scope"}, set(), Step.EARN_TRUST),  # wanting scope is not having trust to spend
    ({"wants_scope", "new_in_role"}, set(), Step.DELIVER_RESULTS),
    ({"wants_scope"}, {"trusted"}, Step.OWNERSHIP_THINK_BIG),
    ({"caused_incident", "shipped"}, set(), Step.DELIVER_RESULTS),  # an outage is a negative balance, not a bet
    ({"trusted"}, set(), Step.OWNERSHIP_THINK_BIG),  # trusted people aren't sent back to earning it
    ({"idea_approved"}, set(), Step.INVENT_AND_SIMPLIFY),
    ({"idea_approved", "stuck_in_analysis"}, set(), Step.BIAS_FOR_ACTION),
    ({"failed"}, set(), Step.ARE_RIGHT_A_LOT),
    ({"checked_closely", "trusted"}, set(), Step.EARN_TRUST),  # given the section, but every unit plan is still checked
    ({"checked_closely"}, {"new_in_role"}, Step.DELIVER_RESULTS),  # six weeks in and micromanaged: no record yet
    ({"checked_closely"}, {"slipping"}, Step.DELIVER_RESULTS),  # watched because the dates slipped
    # (AA+AB) "every close on time since feb… she STILL reviews every entry": the slips are behind her
    ({"checked_closely", "has_track_record"}, {"slipping"}, Step.EARN_TRUST),
])
def test_placement_follows_the_facts_and_the_wheel(facts, known, expected):
    assert stage_from_facts(facts, known)[0] is expected


def test_moves_turn_the_wheel_or_hold_it():
    scores = {s: 0.5 for s in Step}
    assert place("progress", set(), set(), Step.EARN_TRUST, scores).step is Step.OWNERSHIP_THINK_BIG
    assert place("objection", set(), set(), Step.EARN_TRUST, scores).step is Step.EARN_TRUST
    assert place("whats_next", set(), set(), Step.BIAS_FOR_ACTION, scores).step is Step.BIAS_FOR_ACTION
    assert place("progress", {"idea_approved"}, set(), Step.OWNERSHIP_THINK_BIG, scores).step is Step.INVENT_AND_SIMPLIFY


def test_mid_conversation_the_transition_model_decides_with_the_facts_as_its_input():
    scores = {Step.ARE_RIGHT_A_LOT: 0.6, Step.EARN_TRUST: 0.3, Step.BIAS_FOR_ACTION: 0.1}
    # the rules alone would move an approval on to Invent and Simplify; the model read it as not yet
    held = place("progress", {"idea_approved"}, set(), Step.OWNERSHIP_THINK_BIG, scores, transition="stay")
    assert held.step is Step.OWNERSHIP_THINK_BIG and held.reason == "kept"
    agreed = place("progress", {"idea_approved"}, set(), Step.OWNERSHIP_THINK_BIG, scores, transition="advance")
    assert agreed.step is Step.INVENT_AND_SIMPLIFY and agreed.reason == "facts" and agreed.facts_used == ["idea_approved"]
    # elsewhere: where the facts put them if that is neither here nor one on, else the step model's best other step
    assert place("progress", {"failed"}, set(), Step.EARN_TRUST, scores, transition="elsewhere").step is Step.ARE_RIGHT_A_LOT
    assert place("progress", set(), set(), Step.ARE_RIGHT_A_LOT, scores, transition="elsewhere").step is Step.EARN_TRUST
    # an incident resets the balance whatever the model says (the author's Spin 1)
    assert place("progress", {"caused_incident"}, set(), Step.BIAS_FOR_ACTION, scores, transition="stay").step \
        is Step.DELIVER_RESULTS


def test_the_follow_up_step_model_overrules_the_transition_model_only_when_sure():
    from assistant.dialogue.placement import OVERRULE

    scores = {Step.ARE_RIGHT_A_LOT: 0.6, Step.EARN_TRUST: 0.3, Step.BIAS_FOR_ACTION: 0.1}
    sure = place("progress", set(), set(), Step.INVENT_AND_SIMPLIFY, scores, transition="stay",
                 second_opinion=(Step.ARE_RIGHT_A_LOT, OVERRULE + 0.01))
    assert sure.step is Step.ARE_RIGHT_A_LOT and sure.reason == "conversation"
    unsure = place("progress", set(), set(), Step.INVENT_AND_SIMPLIFY, scores, transition="stay",
                   second_opinion=(Step.ARE_RIGHT_A_LOT, OVERRULE - 0.01))
    assert unsure.step is Step.INVENT_AND_SIMPLIFY and unsure.reason == "kept"
    # an incident still resets the balance, however sure the second opinion is
    assert place("progress", {"caused_incident"}, set(), Step.BIAS_FOR_ACTION, scores, transition="stay",
                 second_opinion=(Step.ARE_RIGHT_A_LOT, 0.99)).step is Step.DELIVER_RESULTS


def test_close_scores_on_a_first_message_ask_instead_of_guessing():
    scores = {Step.DELIVER_RESULTS: 0.61, Step.EARN_TRUST: 0.60, Step.BIAS_FOR_ACTION: 0.3}
    placement = place("new_situation", set(), set(), None, scores)
    assert placement.ask and placement.step is Step.DELIVER_RESULTS
    assert placement.alternatives == [Step.EARN_TRUST]
    clear = place("new_situation", set(), set(), None, {Step.DELIVER_RESULTS: 0.7, Step.EARN_TRUST: 0.5})
    assert not clear.ask


def test_move_classification():
    assert classify_move("thanks, this helps", {}, has_history=True, pending_clarification=False, factual=False) == "thanks"
    assert classify_move("I can't just go over my manager's head", {}, has_history=True, pending_clarification=False,
                         factual=False) == "objection"
    assert classify_move("ok done. what's next?", {}, has_history=True, pending_clarification=False,
                         factual=False) == "progress"
    assert classify_move("I already do demos but it doesn't reach anyone", {}, has_history=True,
                         pending_clarification=False, factual=False) == "objection"


@pytest.mark.parametrize("message, move", [
    ("I still think most of this is common sense dressed up, but fine. thanks I guess.", "thanks"),
    ("thanks, though I still disagree", "thanks"),
    ("we shipped it and 10 teams use it, thanks", "outcome_success"),  # news first: the thanks doesn't hide it
    ("thanks, but what about my manager?", "new_situation"),
    ("k thx", "thanks"),
    ("this was really helpful", "thanks"),
    # blind judges: both got a new task, one "That's fair… smaller than what I suggested"
    ("Thank you, this has been really helpful. I'm going to sit down with her Friday.", "thanks"),
    ("Thank you so much for the help. I go now to prepare the report for my chief", "thanks"),
    ("alright. appreciate it man", "thanks"),
    ("ok cool thx man this helped", "thanks"),
    ("thanks, but my boss still says no to everything", "objection"),
])
def test_a_closing_thanks_after_something_else_is_a_thank_you(message, move):
    assert classify_move(message, find_facts(message), has_history=True, pending_clarification=False, factual=False) == move


def test_pushback_no_written_response_fits_gets_a_plain_one_not_an_invented_premise(shared_mentor):
    # from a review conversation: a sous chef's "I can't wait a year" was told about shifting priorities nobody mentioned
    session = Session()
    first = shared_mentor.ask("sous chef at a busy bistro, been here 8 months. last saturday i forgot to check the walk-in "
                              "after the compressor alarm and we lost about 3500 dollars of product. chef is watching "
                              "everything i do now", session=session)
    assert first.step is Step.DELIVER_RESULTS and "caused_incident" in first.facts  # in scope, and a costly mistake
    pushback = shared_mentor.ask("ok. i cant wait a year tho, chef is already talking about bringing in another sous for "
                                 "weekends", session=session)
    assert pushback.move == "objection" and pushback.step is Step.DELIVER_RESULTS
    assert "priorities" not in pushback.text and pushback.text.startswith("That's fair. You're still at **Deliver Results**")
    assert "i cant wait a year tho" not in pushback.text  # their pushback isn't quoted back at them
    assert pushback.next_action and pushback.next_action != first.next_action


def test_a_not_now_gets_the_response_about_a_no_and_a_group_of_people_is_not_the_thing(shared_mentor):
    # from a review conversation: a pharmacy director's "CFO said 'not now'" got a generic reply, and
    # "Presented it to the exec team" put "the problem just beyond the exec team" into an action
    session = Session()
    shared_mentor.ask("I'm the director of pharmacy at a 300-bed hospital. The CMO routinely pulls me into med safety "
                      "issues. I want to propose a pharmacist-led stewardship program hospital-wide.", session=session)
    no = shared_mentor.ask("Presented it to the exec team Tuesday. CFO said 'not now' - budget freeze through Q3, no new "
                           "FTEs.", session=session)
    assert no.step is Step.OWNERSHIP_THINK_BIG and no.move == "objection"
    assert A_NO.search(no.text)
    later = shared_mentor.ask("So how would you reshape it? I asked for 3.5 FTEs.", session=session)
    assert "the exec team" not in (later.next_action or "") and "the exec team" not in (no.next_action or "")


def test_asked_to_explain_the_mentor_says_its_last_advice_again_plainly(shared_mentor):
    # from a review conversation: "can you explain what you meant?" got a brand-new, unrelated action
    session = Session()
    first = shared_mentor.ask("I've hit every deadline this year but my manager still reviews every PR I write", session=session)
    again = shared_mentor.ask("Sorry, can you explain what you meant by that last part? I'm not sure I follow.", session=session)
    assert again.move == "explain" and again.step is first.step
    assert first.next_action.rstrip(".") in again.text and again.next_action is None


def test_and_then_while_our_question_is_open_asks_it_again(shared_mentor):
    session = Session()
    first = shared_mentor.ask("I'm unhappy at work.", session=session)
    assert first.clarifying_question  # too vague to place
    again = shared_mentor.ask("ok and then?", session=session)
    assert again.clarifying_question == first.clarifying_question and "still need to know" in again.text
    assert again.step is first.step and not again.next_action  # not a guess at a step (a review mentee got Bias for Action)


def test_and_then_is_not_an_answer_to_our_question():
    assert classify_move("ok and then?", {}, has_history=True, pending_clarification=True, factual=False) == "after_that"
    assert classify_move("still building my record", {}, has_history=True, pending_clarification=True,
                         factual=False) == "clarify_answer"


def test_a_grudging_thank_you_is_not_told_it_helped(shared_mentor):
    session = Session()
    shared_mentor.ask("I've hit every deadline this year but my manager still reviews every PR I write", session=session)
    closing = shared_mentor.ask("I still think most of this is common sense dressed up, but fine. thanks I guess.", session=session)
    assert closing.move == "thanks" and closing.step is None
    assert "you don't have to agree" in closing.text and "Your next action stands" in closing.text


def test_an_outcome_reported_without_restating_a_launch_we_already_know_of_is_answered(shared_mentor):
    # The launch is known from the first turn; the good news says nothing of it. This raised KeyError
    # (found by benchmarks/followup_cv.py running conversations the models had not seen).
    session = Session()
    shared_mentor.ask("I lead the nursing rota at a clinic. Last spring I pushed for and launched self-scheduling for the "
                      "night shift. Results are in and cover gaps went up slightly.", session=session)
    shared_mentor.ask("I showed the numbers honestly to the board and proposed keeping it with a fallback roster.",
                      session=session)
    news = shared_mentor.ask("The board went for it, and the director told me afterwards she'd back whatever I want to "
                             "take on next year because I didn't spin the numbers.", session=session)
    assert news.move == "outcome_success"
    assert news.step is Step.OWNERSHIP_THINK_BIG  # the win paid out in trust: the next spin
    assert "shipped" in news.facts


def test_a_conversation_moves_with_the_mentee_and_never_repeats(shared_mentor):
    session = Session()
    turns = [
        ("I just joined the orders team as a new grad, five weeks in. What should I focus on?", Step.DELIVER_RESULTS),
        ("ok, four months later: I've shipped everything on time, including the refund flow", Step.EARN_TRUST),
        ("my manager now hands me work without checking it and my skip asked me to join planning",
         Step.OWNERSHIP_THINK_BIG),
        ("pitched a shared fraud-check service to my director and she said yes!", Step.INVENT_AND_SIMPLIFY),
        ("that feels too risky for me right now, I can't take on that much", Step.INVENT_AND_SIMPLIFY),
    ]
    answers = []
    for text, expected in turns:
        answer = shared_mentor.ask(text, session=session)
        assert answer.step is expected, (text, answer.step, answer.move)
        answers.append(answer)
    assert answers[-1].move == "objection"
    actions = [a.next_action for a in answers if a.next_action]
    assert len(actions) == len(set(actions)) == len(answers)
    quotes = [q for a in answers for q in re.findall(r"\u201c([^\u201d]{20,})\u201d \[\d+\]", a.text)]
    assert len(quotes) == len(set(quotes))
    first_lines = [a.text.split(".")[0] for a in answers]
    assert len(set(first_lines)) == len(first_lines)
    assert "orders team" in answers[0].text  # their own words come back
    assert set(session.profile.facts) >= {"trusted", "idea_approved"}
    for a in answers:
        assert all(c.verified for c in a.citations), a.citations
        assert not INTERNAL.search(a.text + "".join(s.text for s in a.sources))


def test_an_outage_starts_from_a_negative_balance_with_the_authors_story(shared_mentor):
    answer = shared_mentor.ask("I pushed a bad config that took down checkout on Black Friday. How do I recover?")
    assert answer.step is Step.DELIVER_RESULTS
    assert "caused_incident" in answer.facts
    assert any(s.spin == 1 for s in answer.sources), [s.section for s in answer.sources]


def test_a_manager_is_answered_as_a_manager(shared_mentor):
    answer = shared_mentor.ask("I manage a new grad who started last month. How do I help her grow without "
                               "overwhelming her?")
    assert answer.step is Step.DELIVER_RESULTS
    assert "Hire and Develop the Best" in answer.text
    assert "ask your manager" not in answer.text.lower()


def test_pay_is_outside_the_wheel_and_said_so(shared_mentor):
    answer = shared_mentor.ask("How do I negotiate my salary for a senior offer?")
    assert answer.step is None and not answer.in_scope
    assert "doesn't cover" in answer.text or "outside" in answer.text
    assert answer.sources == []


def test_good_news_is_not_met_with_a_consolation(shared_mentor):
    """A blind reviewer's dispatcher reported a big account handed to him and was told "It stings…"."""
    from assistant.dialogue.composer import CONSOLING_TONE, TurnInput

    composer = shared_mentor.dialogue.composer
    consoling = [o for o in composer.content.openers(Step.EARN_TRUST) if CONSOLING_TONE.search(o)]

    def openers(message):
        turn = TurnInput(question=message, vector=None, reading=None, step=Step.EARN_TRUST, sources=[], profile=Profile())
        return composer._openers_for(Step.EARN_TRUST, turn)

    assert consoling and set(consoling) <= set(openers("he still check my loads every day"))
    news = "i ask him like you say. he give me one big account from next week. he still check my loads sometimes"
    assert not set(consoling) & set(openers(news))
    assert set(consoling) <= set(openers("he gave me a hard time about the loads again"))


def test_setting_pay_aside_is_not_a_pay_question(shared_mentor):
    """A blind reviewer's mechanic got the pay line twice: the second time he had dropped the raise."""
    session = Session()
    shared_mentor.ask("boss sends me the hybrid jobs now and didnt even look at the last one", session=session)
    assert shared_mentor.ask("shud i ask for a raise now or wait til my review", session=session).step is None
    turned = shared_mentor.ask("ok forget the raise. we turn away 3-4 hybrids a week cause only me and dave can touch "
                               "them. could i own that?", session=session)
    assert turned.step is not None and "doesn't cover pay" not in turned.text
    assert shared_mentor.ask("forget the raise, how much should I ask for in my salary negotiation?").step is None
    assert shared_mentor.ask("Foreman say maybe I get raise. We are union shop. How much I should ask?").step is None


def test_a_clarifying_reply_resolves_the_step(shared_mentor):
    session = Session()
    session.profile.pending_clarification = [Step.DELIVER_RESULTS.value, Step.EARN_TRUST.value]
    session.turns.append(session.add_user_turn("I'm not sure where I am") or session.turns[-1])
    options = shared_mentor.dialogue.composer.content.clarify(Step.EARN_TRUST)
    answer = shared_mentor.ask(options[0], session=session)
    assert answer.move == "clarify_answer"
    assert answer.step in (Step.DELIVER_RESULTS, Step.EARN_TRUST)
    assert session.profile.pending_clarification == []


def test_factual_questions_are_answered_from_the_article_with_cited_sentences(shared_mentor):
    answer = shared_mentor.ask("Adding up spins 2, 3 and 4, how many lines of code did the author write in total?")
    assert "80k" in answer.text
    answer = shared_mentor.ask("How many lines of code did the author write in the second spin?")
    assert "20k" in answer.text and "30k" not in answer.text
    assert all(c.verified for c in answer.citations) and answer.citations


@pytest.mark.parametrize("question, lead", [
    ("how long did it take the author to get his trust back after the outage?", "12 months."),
    ("when was the author's outage?", "2012, during Cybermonday."),
    ("How many lines of code did the author write in the second spin?", "20k lines."),
    ("how many teams did the author offer to help load test in his second spin?", "5 teams."),
])
def test_a_how_long_when_or_how_many_question_opens_with_what_it_asks_for(shared_mentor, question, lead):
    """A blind judge: "how long did he wait?" never got the 12 months, which sat in the third quote."""
    answer = shared_mentor.ask(question)
    assert answer.step is None and answer.text.startswith(f"**Short answer:** {lead}"), answer.text


@pytest.mark.parametrize("question", [
    "how long was the author's original doc for the big project?",  # no sentence holds a length
    # a blind judge saw "Short answer: 2001." (Bezos's flywheel): the ranker's best was unsure, the years differ
    "the amazon guy in that flywheel article. he took the whole site down right? what year was that",
    # (AC+AD) "Ten teams" for a couple of hundred, "four years" (at Google) for the 12 months
    "A quick aside: in the article, roughly how many teams were using the author's load-testing tool before he moved "
    "to the developer tools organisation?",
    "side q, the guy who wrote that article, how long did it take him to fix things after he crashed amazon",
])
def test_a_factual_question_gets_no_lead_it_cannot_stand_behind(shared_mentor, question):
    answer = shared_mentor.ask(question)
    assert answer.step is None and "Short answer" not in answer.text, answer.text


@pytest.mark.parametrize("question, step_name, order", [
    ("Which Leadership Principle is the very first step in his flywheel?", "Deliver Results", 1),
    ("so what's step four again, the fourth step?", "Invent and Simplify", 4),
    ("what's the last step of the flywheel?", "Are Right a Lot", 6),
])
def test_which_step_comes_where_is_answered_from_the_wheel(shared_mentor, question, step_name, order):
    answer = shared_mentor.ask(question)
    assert answer.step is None and f"step {order} of 6 is **{step_name}**" in answer.text


@pytest.mark.parametrize("question, expected", [
    ("ok and after invent and simplify whats next", "**Bias for Action** (step 5 of 6) comes after **Invent and Simplify**"),
    ("once you spotted the bigger problem with ownership/think big, which LP is the next step?",
     "**Invent and Simplify** (step 4 of 6) comes after **Ownership and Think Big**"),
    ("what comes before bias for action?", "**Invent and Simplify** (step 4 of 6) comes before **Bias for Action**"),
    ("how many numbered steps does his flywheel have?", "**6 numbered steps**"),
])
def test_the_wheels_order_is_answered_from_the_wheel_however_the_names_are_typed(shared_mentor, question, expected):
    answer = shared_mentor.ask(question)
    assert answer.step is None and expected in answer.text, answer.text


@pytest.mark.parametrize("question, must", [
    # two spins named: each one's count, and their sum
    ("spin 3 plus spin 4 together, how many lines of code is that roughly", ["60k", "30k"]),
    # two dated events: the years between them
    ("how many years between the cybermonday outage and when he left amazon?", ["8 years", "2012", "2020"]),
    # "remind me" frames the question; it is still about him
    ("remind me how much code he wrote in the spin where he helped the 5 teams?", ["20k"]),
    # an old principle, named as an LP: the article, not an off-topic message
    ("what was the old LP he says he misses?", ["Vocally Self Critical"]),
    # two principles told in neighbouring sentences: both
    ("When he asked his director to let him help 5 teams, which two LPs was he leaning on?", ["Think Big", "Ownership"]),
])
def test_factual_questions_that_span_sentences_get_the_whole_answer(shared_mentor, question, must):
    answer = shared_mentor.ask(question)
    assert answer.step is None and all(m in answer.text for m in must), answer.text


def test_a_question_about_the_author_is_factual_even_when_it_names_a_situation(shared_mentor):
    answer = shared_mentor.ask("Who did he keep going to with his stack of trust cash to ask for bigger scope?")
    assert answer.step is None and "director" in answer.text.lower()


@pytest.mark.parametrize("message, factual", [
    # mid-conversation, from a review conversation: what the author says is factual, "he" the manager is not
    ("ok what does he say about customer obsession then?", True),
    ("what did he do after the outage?", True),
    ("how long did it take him to get back from that", True),
    ("how is trust different from results in this thing? seems the same", True),
    ("does he even care?", False),
    ("what does he want from me?", False),
    # a situation of their own, asked against the author's story, is about them
    ("ok personal one. junior dev, 4 months in. last week I took down checkout for 20 min because I skipped "
     "the integration tests to ship faster. am I in his spin 1?", False),
])
def test_mid_conversation_questions_about_the_author_are_told_from_questions_about_the_mentee(message, factual):
    assert is_factual(message, has_history=True) is factual


@pytest.mark.parametrize("message", [
    # (AA+AB) the article named in passing, mid-conversation, among first-person words
    "also random but my bf is a dev and we have a bet - in that amazon article, how many lines of code did the guy "
    "write when he went from his team to the 5 teams? he says over 50k",
    "wait random q, isnt customer obsesion amazons number 1 thing? why did the amazon guy leave it out of his wheel",
    "random q but in the article how much code did he write in the first big push? like when he went from 1 team to 5. "
    "trying to show my boss that even the author just had to grind it out lol",
    "author had something similar right? what happened to him",
])
def test_the_article_named_in_passing_makes_a_factual_question(message):
    assert is_factual(message, has_history=True)
    assert not is_factual("I read a blog post about burnout and my manager keeps checking my work, what do I do?", True)
    # "the next spin" in the mentee's own news is the wheel's word, not a question about the author
    assert not is_factual("tech director now wants me to look at the whole studio's pipeline across all 3 projects and "
                          "maybe lead a small tools team. is that the next spin thing?", True)


def test_a_factual_question_mid_conversation_is_answered_on_its_own_terms(shared_mentor):
    # from a review conversation: each question was searched together with the one before it
    session = Session()
    shared_mentor.ask("how many lines of code did he write in total across all the spins?", session=session)
    accelerant = shared_mentor.ask("Which leadership principle does he call the accelerant, and why isn't it one of the 6 steps?",
                                   session=session)
    assert "Customer Obsession" in accelerant.text and "accelerant" in accelerant.text
    promoted = shared_mentor.ask("When did he get promoted to principal engineer?", session=session)
    assert "Principal Engineer in Flywheel Spin#4" in promoted.text
    why = shared_mentor.ask("why did that happen?", session=session)  # a short one that leans on the last still gets its context
    assert why.standalone_question and "principal" in why.standalone_question.lower()


def test_a_mentee_question_quoted_in_the_article_is_not_given_as_an_answer(shared_mentor):
    answer = shared_mentor.ask("If a mentee says they're stuck in a rut, where does he tell them to start?")
    assert "how do I get out of that?" not in answer.text


def test_a_long_message_is_echoed_by_the_part_of_it_that_told_us():
    facts = find_facts("I'm three months into my first job out of college, a junior backend dev at a fintech startup, "
                       "and I've missed my last two sprint commitments and my lead checks in on me daily about every ticket")
    assert facts["slipping"] == "I've missed my last two sprint commitments"  # not "…startup, and I've missed my…"
    assert facts["new_in_role"] == "I'm three months into my first job out of college"


def test_a_self_insult_is_not_quoted_back(shared_mentor):
    answer = shared_mentor.ask("We launched my onboarding redesign and activation went down 6%. I feel like an idiot and "
                               "my VP was the one who approved it.")
    assert answer.step is Step.ARE_RIGHT_A_LOT
    assert "idiot" not in answer.text


def test_a_slot_without_the_mentees_words_reads_as_a_sentence():
    from assistant.dialogue.content import STEP_THING, fill

    # from review conversations: "Write the problem the problem you now own must solve"
    template = "Write the problem {thing|your project} must solve as one sentence."
    assert fill(template, STEP_THING["invent_and_simplify"]) == "Write the problem your project must solve as one sentence."
    assert fill(template, "the billing migration") == "Write the problem the billing migration must solve as one sentence."
    assert fill("Build a slice of {thing} by Friday.", None) == "Build a slice of your current work by Friday."


def test_someone_outside_software_gets_no_software_team_actions(shared_mentor):
    # from a review conversation: an ICU nurse was told to check her work "before every pull request"
    session = Session()
    turns = ["hi so I'm a nurse, moved to a new hospital ICU about 2 months ago. I made two charting errors and my "
             "charge nurse now double checks everything I do",
             "ok. I did a good month since then, no flagged charts",
             "idk, if I ask her to stop reviewing it will look defensive",
             "what else can I do?", "and then?", "anything else I could try this week?"]
    actions = [shared_mentor.ask(t, session=session).next_action for t in turns]
    assert all(actions)
    for action in actions:
        assert not SOFTWARE_ONLY.search(action), action
    coder = shared_mentor.ask("I'm a backend dev, my lead reviews every pull request I open and I want that to stop")
    assert coder.next_action  # software work keeps its own actions (the whole pool)
    unknown = Session()  # no word about the kind of work: no software chores either
    for t in ["My director says yes to the redesign of our onboarding flow, where do I even start?", "and then?",
              "ok, anything else?", "I already did that"]:
        answer = shared_mentor.ask(t, session=unknown)
        assert not SOFTWARE_ONLY.search(answer.next_action or ""), answer.next_action


def test_someone_who_works_on_a_floor_gets_no_desk_chores(shared_mentor):
    """Blind judges: a florist's manager told to "cancel a recurring meeting on their calendar" and to "write it
    up for your skip-level", a head chef to "set up a saved query or dashboard", a plumber to go through
    "notes from last week's meetings"."""
    actions = []
    for turns in (["I'm an electrician, my van is always stocked and my jobs get signed off first time. but the foreman "
                   "still won't let me quote jobs.", "anything else?", "and?"],
                  ["head chef here. my new menu went live 3 weeks ago, covers are up 12% but food cost went up too",
                   "ok, what else should I look at?", "and after that?"]):
        session = Session()
        actions += [shared_mentor.ask(t, session=session).next_action for t in turns]
    assert all(actions) and not any(DESK_ONLY.search(a) for a in actions), actions


def test_the_off_topic_redirect_speaks_to_any_job():
    from assistant.dialogue.composer import REDIRECTS
    assert "engineer" not in REDIRECTS["off_topic"]  # a bank advisor was told to ask about "your growth as an engineer"


def test_someone_who_names_both_kinds_of_work_is_read_by_the_job_they_do(shared_mentor):
    # from a blind review: an occupational health nurse whose "surveillance programme" read as programming
    # was told to stop the checks on her "pull requests", then to rewrite "the noisiest alert"
    session = Session()
    turns = ["I've been the occupational health nurse at a packaging plant for three years. My clinics always run to "
             "time and I've never had a report challenged. But the OH physician still re-reads every report I write, and "
             "for the new shift-work health surveillance programme the site manager asked the agency doctor, not me. "
             "How do I get them to stop checking everything I do?",
             "Update - we agreed a 3-month audit where he samples 1 in 5 of my reports. Zero amendments. He's dropped the "
             "full review, and the site manager came straight to me about fatigue on the night shift. What do I do with that?",
             "and then?"]
    actions = [shared_mentor.ask(t, session=session).next_action for t in turns]
    assert all(actions) and not any(SOFTWARE_ONLY.search(a) for a in actions), actions
    dev = shared_mentor.ask("I'm a backend dev at a hospital. My lead reviews every pull request I open, and my deploys "
                            "haven't had an incident in a year. How do I get the reviews to stop?")
    assert dev.step is Step.EARN_TRUST and dev.next_action


def test_an_opener_that_assumes_a_situation_goes_only_to_someone_in_it(shared_mentor):
    from assistant.dialogue.composer import OPENER_PREMISES, _fits

    # a blind judge read "It sounds like the wheel is standing still" after a 6,000 euro mistake
    mistake = ("Hello. I am working since 2 months like logistic planner in a 3PL company in Rotterdam. Last week I make a big "
               "mistake, I book normal 40ft container but the customer need reefer. We pay demurrage almost 6.000 euro. "
               "My manager is very angry. What I must do?")
    answer = shared_mentor.ask(mistake)
    assert answer.step is Step.DELIVER_RESULTS and "standing still" not in answer.text, answer.text
    standing_still = "It sounds like the wheel is standing still, and the first push is always the heaviest one."
    assert not _fits(OPENER_PREMISES, standing_still, mistake)
    assert _fits(OPENER_PREMISES, standing_still, "three years doing the same tickets, I feel stuck in a rut")
    blank_page = "A blank page after a yes is normal, and the way through is usually smaller steps than you'd expect."
    assert not _fits(OPENER_PREMISES, blank_page, "You asked why they stopped. Honestly I don't know, I haven't asked them.")
    assert _fits(OPENER_PREMISES, blank_page, "she said yes and now I have no idea how to set this up")


def test_a_learners_english_is_not_quoted_back(shared_mentor):
    # two blind judges read "I hear 'my night audit is always finish before 6am'" as mocking the mentee's grammar
    learner = shared_mentor.ask("Hello. I am night auditor in hotel since 2 years. My night audit is always finish before "
                                "6am and the manager never find mistakes. But she give the new revenue project to other "
                                "colleague. How I can get this kind of project?")
    assert learner.step is not None and "\u201cmy night audit" not in learner.text.lower(), learner.text
    native = shared_mentor.ask("ios dev, 6 yrs, 2 at this fintech. shipped every feature on time, on-call is quiet. but i keep "
                               "getting the tickets nobody wants and the new project went to a guy who joined 4 months ago. wtf")
    assert "\u201cshipped every feature on time" in native.text, native.text  # a native speaker's own words still come back


def test_a_lead_asking_about_their_own_work_is_not_a_manager_asking_about_a_report():
    own = "I lead a small team building a new search indexer. Should I ship phase 1 behind the flag now?"
    assert "manages_others" not in find_facts(own)
    for about_someone in ("I lead a team of 5 and one of them keeps missing dates",
                          "I run the night shift team and they never listen to me",
                          "I manage 6 engineers. How do I help her grow?"):
        assert "manages_others" in find_facts(about_someone), about_someone


@pytest.mark.parametrize("message, move", [
    # blind set W+X: a how-to question that names a constraint asks for a way; it isn't pushback
    ("Now I have the list. But the fix is in engineering, I am not engineer, I cannot tell them what to do. How I fix this?",
     "progress"),
    ("I can't just go over his head, that would be career suicide.", "objection"),
    # a closing that ends on an adverb is still a closing
    ("Makes sense. Variations log first, then CostX. Cheers for this, genuinely.", "thanks"),
    ("Thank you, I will try with only the clips first, they are not in new model. Obrigada!", "thanks"),
    # a question on the same ground is not news of progress
    ("But I think the problem is not my work, is my English. I cannot make more results, I am already always on time. "
     "How I make trust if the problem is language?", "new_situation"),
])
def test_what_a_follow_up_does(message, move):
    assert classify_move(message, find_facts(message), has_history=True, pending_clarification=False, factual=False) == move


def test_a_deflection_is_a_no_not_progress():
    said = "I did ask him once and he said it's 'just policy'. Should I just accept it?"
    facts = find_facts(said)
    assert "manager_said_no" in facts
    assert classify_move(said, facts, has_history=True, pending_clarification=False, factual=False) == "objection"
    assert "manager_said_no" in find_facts("my boss brushed it off")
    assert "manager_said_no" not in find_facts("she said the process is fine and approved it")


def test_an_action_for_one_kind_of_mentee_goes_only_to_someone_who_says_they_are_one(shared_mentor):
    senior = "I'm a senior SRE, six years on the same team, everyone trusts me and I'm bored, I want something bigger"
    given = [shared_mentor.ask(senior + suffix).next_action or "" for suffix in ("", ".", "!", " now", " soon", " please")]
    assert given and not any(a.startswith(("If you're early in your career", "If you're new to the team", "If you work on mobile",
                                           "If you work in QA")) for a in given)
    from assistant.dialogue.composer import WHO_THEY_ARE

    condition, who = WHO_THEY_ARE[0]
    assert condition.search("If you're early in your career, volunteer this week…") and who.search("I just joined as a junior dev")


def test_reports_that_are_documents_do_not_make_the_mentee_a_manager_and_a_correction_undoes_it(shared_mentor):
    assert "manages_others" not in find_facts("my reports are coming back and the numbers are wrong")
    session = Session()
    shared_mentor.ask("how do I grow my report, she's been stuck at the same level for two years", session=session)
    assert session.profile.has("manages_others")
    shared_mentor.ask("wait, I am NOT a manager, I meant myself", session=session)
    assert not session.profile.has("manages_others")


def test_profile_round_trips_with_the_session():
    session = Session(name="ana")
    session.profile.add_fact("trusted", "my director backs me", turn=1)
    session.profile.remember_phrases(["the billing team"])
    session.profile.mark_used("actions", "Do the thing.")
    restored = Session.from_dict(session.to_dict())
    assert restored.profile.facts["trusted"].evidence == "my director backs me"
    assert restored.profile.key_phrases == ["the billing team"]
    assert restored.profile.used("actions") == ["Do the thing."]
    restored.profile.remove_fact("trusted")
    assert not restored.profile.has("trusted")
    with pytest.raises(ValueError, match="unknown fact"):
        Profile().add_fact("likes_pizza", "x")


def test_the_llm_prompt_carries_the_dialogue_state(shared_mentor):
    session = Session()
    shared_mentor.ask("My director trusts me and I keep thinking about our flaky deploy pipeline", session=session)
    state = shared_mentor.dialogue.understand("I can't just go over my manager's head", None, session)
    text = render_mentee(session, state.placement.step, shared_mentor.flywheel, state)
    assert "People around you trust you with more" in text
    assert "What this message does: objection" in text
    assert "Already advised" in text and session.profile.used("actions")[0] in text


@pytest.mark.parametrize("question, starts", [
    ("Should I just quit? Same team for three years and nothing changes.", "Not yet"),
    ("I'm two months into a new job. Is it too early to ask my manager for a bigger project?", "Asking is fine"),
    ("My lead hands me the hard escalations and backs my calls. Is it too early to ask to lead the migration?",
     "No, it isn't too early"),
    # direct questions review mentees asked that went unanswered
    ("Our onboarding flow launched and activation went down 6%. Part of me wants to quietly keep iterating and not "
     "tell the VP. Is that bad?", "Yes, keeping it quiet would cost you"),
    ("We launched the new checkout and conversion dropped. Do we roll back, or keep it and rebuild just the referral "
     "path? Which one?", "Let the evidence pick"),
    ("3 other teams use my little CLI daily now. Should I ask my manager to make it my full-time job?", "Yes, ask"),
    ("My VP said 'write it up' for consolidating our 30 deploy pipelines. Who do I need on board before the doc goes "
     "out?", "Three people"),
    ("My director approved replacing our job queue. Do I pick a tool first or start from the requirements?",
     "Requirements first"),
    ("I'm trusted by the CMO and pitched a stewardship program; the CFO said not now, budget freeze. So how would you "
     "reshape it? I asked for 3.5 FTEs.", "Shrink the ask"),
    ("The CMO approved our 90-day pilot. My pharmacists each want a different protocol and IT needs 8 weeks for order "
     "sets. Where do I even start?", "Start with the smallest piece"),
])
def test_a_yes_no_question_gets_a_short_answer_first(shared_mentor, question, starts):
    answer = shared_mentor.ask(question)
    first = answer.text.split("\n\n")[0]
    assert first.startswith(f"**Short answer:** {starts}"), first
    assert answer.step is not None and (answer.next_action or answer.clarifying_question)  # then placed (or asked)


def test_a_short_answer_is_not_repeated_in_one_conversation(shared_mentor):
    session = Session()
    first = shared_mentor.ask("Should I just quit? I'm bored with my work.", session=session)
    again = shared_mentor.ask("honestly, should I just quit and look for another job?", session=session)
    assert first.text.startswith("**Short answer:** Not yet")
    assert "Not yet, or at least not first" not in again.text


@pytest.mark.parametrize("message", ["hi there!", "Hello", "good morning"])
def test_a_greeting_is_welcomed_and_asked_what_is_going_on(shared_mentor, message):
    answer = shared_mentor.ask(message)
    assert answer.text.startswith("Hi!") and "Tell me what's going on at work" in answer.text
    assert answer.step is None and answer.sources == []


@pytest.mark.parametrize("message", ["Any tips for system design interviews at big tech?",
                                     "which job boards are best for senior engineers?"])
def test_job_hunting_is_outside_the_wheel_even_without_a_pronoun(shared_mentor, message):
    answer = shared_mentor.ask(message)
    assert answer.step is None and answer.text.startswith("Job hunting, CVs and interview prep are outside")


@pytest.mark.parametrize("message, step", [
    ("got the budget for the warehouse slotting redesign. now what", Step.INVENT_AND_SIMPLIFY),
    ("plan approved in may. its september. zero lines of code. help", Step.BIAS_FOR_ACTION),
])
def test_a_terse_note_without_pronouns_is_about_the_mentee(shared_mentor, message, step):
    answer = shared_mentor.ask(message)
    assert answer.move == "new_situation" and answer.step is step


def test_asking_what_the_author_did_in_a_situation_like_mine_tells_his_story(shared_mentor):
    session = Session()
    shared_mentor.ask("honestly my last two deadlines slipped and my manager brought it up", session=session)
    answer = shared_mentor.ask("what did the author do when he was in that kind of hole?", session=session)
    assert answer.move == "factual" and answer.text.startswith("In Spin 1:")
    assert any(s.spin == 1 for s in answer.sources)


@pytest.mark.parametrize("message, present, absent", [
    ("My manager doesn't trust me even though I deliver.", {"checked_closely"}, {"trusted"}),
    ("I've been writing a proposal for six weeks. It's on version 9. Nobody has read it yet.",
     {"stuck_in_analysis"}, {"shipped"}),
    ("our payments service went down for 3 hours last night and it was my deploy", {"caused_incident"}, set()),
    ("launched a new onboarding flow and activation actually went down 4%", {"failed"}, {"shipped"}),
    ("since the launch, support tickets are down by half", {"shipped"}, {"failed"}),
])
def test_paraphrases_a_reviewer_found_are_read(message, present, absent):
    facts = find_facts(message)
    assert present <= set(facts) and not absent & set(facts), facts


def test_a_question_about_the_author_tells_nothing_about_the_mentee(shared_mentor):
    answer = shared_mentor.ask("When did the author get promoted to Principal Engineer?")
    assert answer.move == "factual" and answer.facts == []


def test_a_vague_first_message_is_answered_with_a_question(shared_mentor):
    answer = shared_mentor.ask("I'm unhappy at work.")
    assert answer.clarifying_question and len(answer.options) >= 2 and answer.next_action is None


def test_an_action_does_not_ask_if_when_the_mentee_already_said_so():
    from assistant.dialogue.composer import settle_condition

    profile = Profile()
    profile.add_fact("caused_incident", "it was my deploy", turn=0)
    assert settle_condition("If you caused an incident, write the postmortem yourself by Friday.", profile) == \
        "Write the postmortem yourself by Friday."
    assert settle_condition("If you caused an incident, write it.", Profile()).startswith("If you caused")


def test_a_yes_no_question_about_the_wheel_gets_a_verdict_first(shared_mentor):
    answer = shared_mentor.ask("Is it ever okay to skip delivering results and go straight to thinking big?")
    assert answer.text.startswith("**Short answer:** No.") and answer.sources


@pytest.mark.parametrize("opening, pushback, principle", [
    ("My lead stopped reviewing my PRs and now hands me the tricky escalations.",
     "it's not really my job though, the platform team owns those", "Ownership"),
    ("I shipped the new search page last month and usage dropped 10%.",
     "I don't want to admit it in front of the VP, maybe the data's just noisy", None),
])
def test_a_pushback_gets_an_answer_that_fits_it(shared_mentor, opening, pushback, principle):
    session = Session()
    shared_mentor.ask(opening, session=session)
    answer = shared_mentor.ask(pushback, session=session)
    assert answer.move == "objection" and "**A smaller first step:**" in answer.text
    if principle:
        assert f"What **{principle}** asks here:" in answer.text


@pytest.mark.parametrize("question, needs", [
    # "It got rolled into…" alone doesn't say what "it" is: the sentence before comes with it.
    ("What did the author say got rolled into Earn Trust?", "Vocally Self Critical"),
    # A sentence ending in ":" announces what follows, even across a section heading.
    ("What is the author's initial advice to mentees?", "Start by Delivering Results"),
    # A two-part question: the when, and the sentence that gives the cause.
    ("When did the author cause that outage, and what was the cause?", "load tested"),
])
def test_a_factual_answer_quotes_what_its_sentences_need_to_be_read_alone(shared_mentor, question, needs):
    answer = shared_mentor.ask(question)
    assert answer.move == "factual" and needs in answer.text


def test_pushback_is_an_objection_whatever_facts_follow_and_holds_the_step(shared_mentor):
    assert classify_move("I don't agree that I should kill it. People love it once they find it.",
                         find_facts("People love it once they find it."), has_history=True,
                         pending_clarification=False, factual=False) == "objection"
    session = Session()
    assert shared_mentor.ask("Three months into my first job and I've missed my last two sprint commitments.",
                             session=session).step is Step.DELIVER_RESULTS
    held = shared_mentor.ask("I'm not avoiding it though. It's blocked on another team's API that isn't deployed yet.",
                             session=session)
    assert held.move == "objection" and held.step is Step.DELIVER_RESULTS


def test_a_step_back_is_not_called_moving_on(shared_mentor):
    session = Session()
    session.step = Step.BIAS_FOR_ACTION
    answer = shared_mentor.ask("update: my config push took down checkout for an hour yesterday, it was my change",
                               session=session)
    assert answer.step is Step.DELIVER_RESULTS
    assert "That moves you on" not in answer.text and "step back" in answer.text


def test_good_news_that_places_the_mentee_earlier_is_not_called_a_step_back(shared_mentor):
    session = Session()
    session.step = Step.BIAS_FOR_ACTION  # we had them further on than they were
    answer = shared_mentor.ask("ok. wrote a 2-pager, the CTO said yes to a 2-quarter pilot with 5 teams", session=session)
    assert answer.step is Step.INVENT_AND_SIMPLIFY
    assert "step back" not in answer.text and "That changes the picture." in answer.text


def test_a_manager_answer_talks_about_the_report_in_one_voice(shared_mentor):
    answer = shared_mentor.ask("I manage a team of 7. One of my engineers, Priya, has been here 2 years, never misses a deadline, "
                               "and I basically stopped reviewing her designs months ago. I just trust her. How do I help her grow?")
    assert answer.step is Step.OWNERSHIP_THINK_BIG
    assert "because people already trust them" in answer.text  # not "…trust you", said of someone else
    assert "In our notes' words:" in answer.text  # our notes' words, not passed off as the author's


def test_a_thank_you_restates_the_last_next_action_word_for_word(shared_mentor):
    session = Session()
    advice = shared_mentor.ask("I hit every deadline this year but my manager still reviews every PR line by line.",
                               session=session)
    shared_mentor.ask("This sprint I closed all five of my tickets on time. My lead dropped the daily check-ins.",
                      session=session)
    shared_mentor.ask("Great, so what now?", session=session)
    last = session.turns[-1].next_action
    closing = shared_mentor.ask("Thanks, this was genuinely useful.", session=session)
    assert advice.next_action and last and closing.move == "thanks"
    assert closing.text.endswith(f"Your next action stands: {last}")


@pytest.mark.parametrize("message, topic", [
    ("Got an offer for a senior role, they came in 15% under what I make now. How do I counter?", "pay"),
    ("Startup gave me 0.4% equity with a 1 year cliff. Is that good for employee #12?", "pay"),
    ("Should I do the CFA or an MBA if I want to move into FP&A?", "qualifications"),
    ("I have a final round interview next Tuesday, what competency questions do they ask?", "job_search"),
    # Career messages that use the same words stay on the wheel.
    ("My report launched the new search six weeks ago and adoption is 15% of the company.", None),
    ("We ran user interviews and a stay interview pilot; the results are in.", None),
    # from review conversations
    ("when i go for the team lead role should i negotiate for a bigger base or a higher commission rate?", "pay"),
    ("they're reclassifying engineers and I think I should be a grade 14 not 13. How do I negotiate that?", "pay"),
    ("I want to raise the bar on code review in my team", None),
    ("also is 17/hr normal for grill in chicago or am i getting played", "pay"),
    ("a restructured 9th grade sequence could fix it, but that's way above my pay grade", None),
    ("do interns usually get return offers if they do well?", "job_search"),
    ("do you think I need a master's in health informatics to get to senior analyst?", "qualifications"),
    ("my Blue Card is tied to this employer. If I change to other firm do I lose it?", "visa"),
    ("Other question. For operations manager job, I need university degree? I have only technical school from Poland.",
     "qualifications"),
    ("I am on settled status, it is problem for promotion?", "visa"),
    ("I need a degree of trust from my boss before I can do that", None),
    # a visa named at all is the question, ahead of the pay words around it
    ("If I get it, I must tell the Auslanderbehorde for my Blue Card? And the salary change something for the card?", "visa"),
    ("Other question, not about this. I am on Critical Skills permit, after 2 years I can ask Stamp 4. If I move to senior "
     "social worker before, is it problem for the permit?", "visa"),
    ("the council wants a building permit before we start the extension", None),
    ("my employer sponsors my work authorisation; if I move to the data team does the paperwork have to be redone?", "visa"),
])
def test_career_adjacent_questions_are_named_not_placed(message, topic):
    from assistant.dialogue.manager import adjacent_topic

    assert adjacent_topic(message) == topic


def test_an_aside_the_mentee_marks_as_one_is_answered_as_one(shared_mentor):
    # a blind reviewer's night auditor: the visa fear was placed on the wheel because it also said "bigger responsibility"
    session = Session()
    shared_mentor.ask("I'm a night receptionist at a hotel, 8 months. My audits are always on time and my manager trusts me "
                      "with the cash office now.", session=session)
    aside = shared_mentor.ask("One more question not about this. My visa is sponsor by the hotel (482). If I ask for bigger "
                              "responsibility and it don't work good, can they cancel my sponsor?", session=session)
    assert aside.step is None and "immigration" in aside.text.lower(), aside.text
    assert session.step is not None  # where they are on the wheel is kept


# --- listening: a fifth reviewer's conversations (session 17) ---------------------------------

@pytest.mark.parametrize("message, present, absent", [
    # the ending is the fact: approved, run for months, then cancelled
    ("She loved it, gave me budget and a contractor. We ran it for 4 months. Last week the whole thing got "
     "cancelled in a cost-cutting round.", {"failed"}, {"idea_approved"}),
    ("my meeting got cancelled so I have time to think", set(), {"failed"}),
    # a mandate to lead the bigger thing is the yes
    ("my VP of People said she wants me to lead a working group on first-90-day retention, and I have until end "
     "of Q3 to come back with a plan", {"idea_approved"}, set()),
    # an intention is not a plan stuck in review
    ("I had actually been planning to ask to lead the deposition preparation. Should I still ask?", set(),
     {"stuck_in_analysis"}),
    ("I've been planning the migration for three months and keep finding more to plan", {"stuck_in_analysis"}, set()),
    # trust shown rather than said; the people served asking for you is a record, not the manager's trust
    ("I have not sent the partner a draft client email in a month, and she hasn't asked. She forwarded me the "
     "settlement offer with just 'handle this, cc me' and asked which expert I thought we should retain.", {"trusted"}, set()),
    ("2 yrs never late on a release, clients literally ask for me by name", {"has_track_record"}, {"trusted"}),
    # a side project that took off and isn't their job yet
    ("I built a CLI on weekends and now 3 other teams use it daily. it's not my actual job though", {"shipped", "wants_scope"},
     set()),
    ("I mean it's not really my job though? Onboarding sits with L&D", set(), {"wants_scope"}),
    # a sixth reviewer's mentees: an intern, a line cook, a principal engineer, an audit manager
    ("hi im an intern (week 3) at a fintech startup, should i pitch my idea?", {"new_in_role"}, set()),
    ("I'm on call every third week and firefighting eats the rest", set(), {"new_in_role"}),
    ("update: i missed thursday. my fix broke two other tests, had to ask for help", {"slipping"}, set()),
    ("did the mise thing. 3 weekends no yelling, ticket times down from like 18 min to 12", {"has_track_record"}, set()),
    ("my mentor now just approves my PRs without comments", {"trusted"}, set()),
    ("the CTO asked me to write up what a company-wide build platform would look like", {"trusted"}, set()),
    ("She piloted the new template on four audits. Hours went down on three, but one went 30% over budget and the "
     "client complained.", {"failed"}, {"shipped"}),
    # two more reviewers' mentees: a hotel desk lead, a site engineer, a physiotherapist, a warehouse supervisor
    ("The GM pretty much leaves the desk to me now and signs off whatever I send him", {"trusted"}, set()),
    ("it's killing our reviews (we dropped from 4.5 to 4.2 this year)", set(), {"shipped"}),
    ("Average wait went from about 45 minutes to roughly 12", {"shipped"}, set()),
    ("honestly part of me thinks I should just leave. is it even worth trying again?", set(), {"failed"}),
    ("I signed off the rebar inspection and missed that the spacing was wrong in one bay. Probably 30-40k and a week "
     "lost. The site manager has stopped letting me sign anything off.", {"caused_incident", "checked_closely"}, set()),
    ("How long till they trust me again? Like weeks?", set(), {"trusted"}),
    ("I've been 'finalising' it since September. It's now January and not one patient has been through it.",
     {"stuck_in_analysis"}, set()),
    ("Honestly I don't even know if patients want groups. We never asked them.", {"customer_focus"}, set()),
    ("We started. One pilot class at the Northfield site, 8 patients, 4 weeks in.", set(), {"new_in_role"}),
    ("every peak the new temp workers dont know the scanners, first week they are very slow", set(), {"new_in_role"}),
    ("But the waiting list has only gone from 22 to 21 weeks.", {"failed"}, set()),
    ("we rolled it back. She wrote an honest post-mortem and presented it, and now she's floating owning the whole "
     "eval gap problem for the org", {"wants_scope"}, {"failed"}),
    ("pm says my sets come back w/ fewer errors than the other juniors. got the last 3 submittals out early",
     {"has_track_record"}, set()),
    # the final reviewers' mentees: a negation stops at the end of its sentence
    ("ok I made smaller proposal, only on my two wards, no extra money needed. She said yes!", {"idea_approved"}, set()),
    ("update: last 3 sprints i closed everything i commited, lead said 'nice, solid'", {"has_track_record"}, set()),
    ("I have a 60-page spec, we're on revision nine. Nothing is running yet.", {"stuck_in_analysis"}, set()),
    ("Concordance was 97%, throughput doubled, and two other teams are asking to be next.", {"shipped"}, set()),
    ("We did it 3 months on the two wards. IV days went down from 4.1 to 2.9 in average", {"shipped"}, set()),
])
def test_what_a_story_ends_with_is_the_fact(message, present, absent):
    facts = find_facts(message)
    assert present <= set(facts), facts
    assert not absent & set(facts), facts


@pytest.mark.parametrize("message", [
    "The thing is writing a retro that says 'I was wrong' feels like handing them a reason to cut me. I'd rather just move on quietly.",
    "Frankly I find this frustrating. Shouldn't the work speak for itself? I don't see why I should have to manage her perceptions.",
])
def test_reluctance_said_as_a_feeling_is_pushback(message):
    assert classify_move(message, find_facts(message), has_history=True, pending_clarification=False,
                         factual=False) == "objection"


def test_a_goodbye_after_thanks_is_a_closing():
    message = "This is really helpful, I have to jump into a calibration meeting now. Thank you so much, talk later!"
    assert classify_move(message, find_facts(message), has_history=True, pending_clarification=False,
                         factual=False) == "thanks"


def test_a_clause_cut_off_inside_an_aside_is_not_quoted_back(shared_mentor):
    """A blind judge: "Thanks for spelling it out: “im ~8 months in as a staff accountant (career switch”"."""
    answer = shared_mentor.ask("so i kind of messed up bad. im ~8 months in as a staff accountant (career switch, i used to "
                               "manage a shoe store lol). i was behind at quarter end and skipped tieing out the payroll tax "
                               "deposit, it went out short and we recieved a penalty notice", session=Session())
    assert "(career switch\u201d" not in answer.text and "(career switch\"" not in answer.text, answer.text[:300]
    assert "\u201cim ~8 months in as a staff accountant\u201d" in answer.text  # the clause, trimmed at the aside


def test_a_closing_wishes_their_plan_well_names_the_ground_covered_and_sets_no_homework(shared_mentor):
    """Blind judges: "Thank you… I'm going to sit down with her Friday" got a new task."""
    session = Session()
    shared_mentor.ask("I manage a ward. One of my nurses, Priya, 5 months in, still has charting open at the end of "
                      "shift and two late med passes flagged this month.", session=session)
    shared_mentor.ask("Three months on: her charting is closed every shift, no late meds since, but I still pull her "
                      "charts every week to check.", session=session)
    closing = shared_mentor.ask("Thank you, this has been really helpful. I'm going to sit down with her Friday.", session=session)
    assert closing.move == "thanks" and closing.text.startswith("Good luck when you sit down with her Friday."), closing.text
    assert "your report went from **Deliver Results** to **Earn Trust**" in closing.text, closing.text
    assert "next action" not in closing.text.lower() and closing.next_action is None


def test_a_cancelled_bet_is_judged_and_recalling_it_later_does_not_pull_the_mentee_back(shared_mentor):
    session = Session()
    first = shared_mentor.ask("Senior UX researcher, 8 yrs, fintech. Last year I pitched a discovery program to our CPO. "
                              "She loved it, gave me budget and a contractor. We ran it for 4 months. Last week the "
                              "whole thing got cancelled in a cost-cutting round.", session=session)
    assert first.step is Step.ARE_RIGHT_A_LOT and "didn't work out" in first.text
    moved = shared_mentor.ask("ok I did it. wrote the retro and presented it. The CPO thanked me in front of everyone and "
                              "the head of payments asked me to help on something bigger next quarter.", session=session)
    assert moved.step is Step.OWNERSHIP_THINK_BIG
    again = shared_mentor.ask("Is it too soon to ask for something bigger right after my program got killed? Just yes or no.",
                              session=session)
    assert again.step is Step.OWNERSHIP_THINK_BIG, again.text
    assert "didn't work out, you're at **Ownership" not in again.text  # the reason given is one for this step


def test_an_aside_outside_the_wheel_remembers_where_the_mentee_is(shared_mentor):
    session = Session()
    placed = shared_mentor.ask("I'm a backend dev, three weeks into a new job, nobody knows me yet", session=session)
    aside = shared_mentor.ask("Side question, should I be asking for a raise when I take this on?", session=session)
    assert aside.step is None
    assert placed.step is Step.DELIVER_RESULTS and "you're still at **Deliver Results**" in aside.text
    assert placed.next_action in aside.text
    assert "If you tell me where you are at work" in shared_mentor.ask("should I ask for a raise?").text


@pytest.mark.parametrize("action, said, fits", [
    ("If your last pitch got a no, ask the person who said it what smaller version they would back.",
     "everyone trusts me and I want something bigger", False),
    ("If your last pitch got a no, ask the person who said it what smaller version they would back.",
     "my director said no to the proposal", True),
    ("If a recent mistake of yours cost a teammate time, tell them directly this week.",
     "last 3 sprints i closed everything on time", False),
    ("If it worked, help them write it up for your skip-level.", "it went live but deflection is only 8%, not 30%", False),
    ("If their bet didn't work, thank them in front of the team for calling it.",
     "it went live but deflection is only 8%, not 30%", True),
])
def test_an_action_that_starts_with_if_goes_only_to_someone_it_is_about(action, said, fits):
    from assistant.dialogue.composer import WHO_THEY_ARE, _fits

    assert _fits(WHO_THEY_ARE, action, said) is fits


def test_a_measured_result_is_named_back_but_a_goal_is_not(shared_mentor):
    session = Session()
    goal = shared_mentor.ask("I'm a process engineer at a stamping plant. My boss approved my idea to reduce changeover "
                             "time from 90 minutes to 30, but I don't know how to start", session=session)
    assert "is a measured result" not in goal.text
    shared_mentor.ask("I have a plan now: clamps on press 3, then die carts, each 3 weeks. But I keep redrawing the "
                      "clamps for 2 months", session=session)
    trial = shared_mentor.ask("Ok. We made one trial on press 3 last Saturday, no production. The changeover was 55 minutes.",
                              session=session)
    assert "\u201cThe changeover was 55 minutes\u201d is a measured result" in trial.text


def test_a_safety_objection_gets_a_safe_first_step_not_just_try_it(shared_mentor):
    session = Session()
    first = shared_mentor.ask("I'm a process engineer at a stamping plant. I have a plan for faster press changeovers: "
                              "clamps first, then die carts. But I've been redrawing the clamps for two months and my boss "
                              "asks every week when we try it", session=session)
    assert first.step is Step.BIAS_FOR_ACTION
    pushback = shared_mentor.ask("But if the clamp fails it can be a safety problem, the press is 400 ton. I cannot just "
                                 "'try it'.", session=session)
    assert pushback.move == "objection" and pushback.step is Step.BIAS_FOR_ACTION
    assert "safety or compliance" in pushback.text
    assert "feature flag" not in pushback.text  # nor the principle notes' software examples


@pytest.mark.parametrize("message, absent", [
    ("new grad, android dev, 4 months in. want to get on the payments rewrite. how", "the payments rewrite"),
    ("the problem is enormous: the interview process, the onboarding curriculum, manager training, the buddy program",
     "the interview process"),
])
def test_a_project_they_want_onto_or_one_of_a_list_is_not_their_thing(message, absent):
    assert absent not in key_phrases(message)


def test_not_knowing_where_to_start_is_answered_like_a_question(shared_mentor):
    session = Session()
    shared_mentor.ask("My VP said yes: I lead a working group on new-hire retention and have until Q3 to come back "
                      "with a plan", session=session)
    answer = shared_mentor.ask("Except the problem is enormous, I have like 15 ideas and I genuinely don't know where "
                               "to start.", session=session)
    assert answer.text.startswith("**Short answer:** Start with the smallest piece you can measure")


def test_a_factual_answer_to_two_questions_answers_both(shared_mentor):
    answer = shared_mentor.ask("As an aside, did the author actually get his standing back after the Cyber Monday "
                               "outage? How long did that take?")
    assert "Cybermonday" in answer.text and "12 months" in answer.text


def test_a_question_about_the_article_is_answered_from_the_article_not_our_notes(shared_mentor):
    answer = shared_mentor.ask("What's Amazon's number one Leadership Principle, according to the article?")
    assert "Customer Obsession is Amazon’s #1 Leadership Principle" in answer.text
    assert "short explanations of the sixteen" not in answer.text


def test_a_later_fact_replaces_an_earlier_one_but_one_message_may_say_both():
    profile = Profile()
    profile.add_fact("checked_closely", "she reviews every email", turn=0)
    profile.add_fact("trusted", "she stopped asking for drafts", turn=3)
    assert set(profile.facts) == {"trusted"}
    both = Profile()
    both.add_fact("checked_closely", "he reviews every PR", turn=1)
    both.add_fact("trusted", "but he lets me run the release", turn=1)
    assert set(both.facts) == {"checked_closely", "trusted"}


def test_a_win_that_brings_the_wish_for_more_starts_the_next_spin():
    assert stage_from_facts({"shipped", "wants_scope"}, set())[0] is Step.OWNERSHIP_THINK_BIG
    assert stage_from_facts({"wants_scope"}, {"shipped"})[0] is Step.OWNERSHIP_THINK_BIG
    assert stage_from_facts({"shipped", "failed", "wants_scope"}, set())[0] is Step.ARE_RIGHT_A_LOT



def test_too_many_ideas_is_not_pushback():
    message = "Now I have too much ideas. New mattresses, a turning schedule app, training for the HCAs"
    assert classify_move(message, find_facts(message), has_history=True, pending_clarification=False,
                         factual=False) != "objection"


def test_asking_whether_the_author_was_ever_in_my_spot_is_about_his_story():
    assert is_factual("Honestly, was the author ever in a spot like mine? Did he ever have something stall after "
                      "leadership had already said yes?", True)


@pytest.mark.parametrize("turns, starts", [
    (["I'm an ICU nurse, 4 years. Our unit had 11 pressure ulcers last quarter and nobody owns the problem; my charge "
      "nurse trusts me with the new staff", "Is it my place to go to the matron with this?"], "Yes, and you don't have to go around"),
    (["hi im an intern (week 3) at a fintech startup. i have a cool idea to rewrite our onboarding flow in a new "
      "framework, should i pitch it to my manager?"], "Not as a pitch yet"),
    (["I'm a principal engineer; our build cache has been live on PC dev builds for six weeks and build times dropped "
      "from 4 hours to 95 minutes", "Do I push it to console dev builds next or fix the hit rate first?"], "Fix what's wrong first"),
    (["I'm a hospital data analyst. My manager stopped reviewing my reports and asked me to take over the ED reporting. "
      "It has 40 reports that say the same thing; I'd cut them to 5. Is that overstepping?"], "Not if you bring it as a proposal"),
    (["I'm a sales engineer, 4 years; the AEs pull me into the hard deals. My VP said 'not this half' to my integration kit.",
      "idk, should I just build it on weekends and show him or wait until H2?"], "Don't build the whole thing"),
    (["I run the front desk at a hotel; our Sunday checkout wait went from 45 minutes to 12 after my change",
      "Should I roll it out at one hotel first or all three sister hotels at once?"], "One first"),
    (["I'm a clinical pharmacist. We ran the IV-to-oral switch on two wards for 3 months. IV days went down from 4.1 to "
      "2.9, but the nurses complain it is more work. So was I right or no?"], "Judge it by the number you meant to move"),
    (["I manage six auditors. Priya is my best senior associate, I stopped reviewing her work long ago and she wants a "
      "bigger problem", "I'm asking whether it's better for her to pitch it to the partners herself or for me to hand it "
      "to her."], "Let them pitch it themselves"),
])
def test_direct_questions_a_reviewer_asked_get_a_direct_answer(shared_mentor, turns, starts):
    session = Session()
    for turn in turns:
        answer = shared_mentor.ask(turn, session=session)
    assert answer.text.startswith(f"**Short answer:** {starts}"), answer.text[:200]


def test_a_setback_reported_as_an_update_is_not_called_the_right_work(shared_mentor):
    session = Session()
    shared_mentor.ask("hi im an intern (week 3) at a fintech startup. my first ticket is a date bug, due thursday",
                      session=session)
    setback = shared_mentor.ask("update: i missed thursday. my fix broke two other tests, had to ask for help. feel dumb",
                                session=session)
    assert setback.step is Step.DELIVER_RESULTS
    assert "setback, not a verdict" in setback.text and "That's the right work" not in setback.text


def test_a_manager_hears_the_principles_notes_once_per_conversation(shared_mentor):
    session = Session()
    texts = [shared_mentor.ask(t, session=session).text for t in (
        "I manage a team of six. Priya has been here 3 years, I stopped reviewing her work long ago, how do I grow her?",
        "She mentioned our approach to small audits is a mess and nobody owns it",
    )]
    assert sum("In our notes' words:" in t for t in texts) == 1


def test_a_correction_is_acknowledged_and_a_demanded_yes_or_no_is_not_dodged(shared_mentor):
    session = Session()
    shared_mentor.ask("I teach chemistry, 6th year. My department head never asks my opinion and gave the curriculum "
                      "committee to a second-year teacher", session=session)
    verdict = shared_mentor.ask("Is it because I'm too quiet in department meetings? Yes or no.", session=session)
    assert verdict.text.startswith("**Short answer:** I can't give you an honest yes or no")
    corrected = shared_mentor.ask("No, that's not what I said. She doesn't doubt my results, she never asks my opinion.",
                                  session=session)
    assert corrected.text.startswith("Thanks for correcting me; I had that wrong.")



def test_i_did_the_thing_you_say_is_a_progress_report_not_an_attack(shared_mentor):
    session = Session()
    shared_mentor.ask("I am shift supervisor in a warehouse, 8 months. My manager still double-checks my reports",
                      session=session)
    answer = shared_mentor.ask("I did the thing you say. Each friday i send him small summary, 3 lines. Two weeks now. "
                               "He answer 'thanks' only.", session=session)
    assert answer.step is not None and "instructions" not in answer.text


def test_progress_after_a_finished_spin_starts_the_next_at_ownership_not_step_one():
    from assistant.dialogue.placement import advance

    placed = place("progress", {"wants_scope"}, {"failed"}, Step.ARE_RIGHT_A_LOT, {})
    assert placed.step is advance(Step.ARE_RIGHT_A_LOT) is Step.OWNERSHIP_THINK_BIG
    # a new team is a new trust account, whatever step they were at
    assert place("progress", {"new_in_role"}, {"failed"}, Step.ARE_RIGHT_A_LOT, {}).step is Step.DELIVER_RESULTS


@pytest.mark.parametrize("question, expected", [
    ("what did the author actually do after the outage?", "In Spin 2"),
    ("What did he do after spin 2?", "In short (Spin 3)"),
    # a blind reviewer's wording; the answer is how the next section opens, not its best-scoring line
    ("what did the guy in the article actually do after he took down amazon", "I focused on Delivering Results"),
])
def test_what_the_author_did_after_an_event_is_told_from_what_came_next(shared_mentor, question, expected):
    assert expected in shared_mentor.ask(question).text


def test_a_managers_opener_is_never_said_twice_in_a_conversation(shared_mentor):
    # a blind reviewer's head chef heard "Hire and Develop the Best treats growing people…" on turns 6 and 7
    session = Session()
    turns = ["got a lad on my section, 19, commis. his mise en place is never done by service. how do I handle him",
             "nobody's properly sat him down tbh. I just shout at him in service",
             "sat him down, built a prep list. 6 weeks on, prep done every service. do I give him a special",
             "gave him the tuesday special for a month, GP over 70%. I've stopped tasting his stuff. now he wants the sunday menu",
             "said yes. he's come back with a 4 page doc. my gut says it's way too much",
             "he cut it down to two changes. but now he wants to wait til september and do another staff tasting",
             "ran it 4 sundays, beef waste down from 9kg to 3kg, but the pre orders were a shambles. he's gutted"]
    texts = [shared_mentor.ask(t, session=session).text for t in turns]
    openers = [t.split(" From what you describe")[0] for t in texts if not t.startswith(("From what", "**Short"))]
    assert len(openers) == len(set(openers)) >= 4, openers


def test_a_team_fills_an_actions_slot_only_where_a_place_fits(shared_mentor):
    from types import SimpleNamespace

    composer = shared_mentor.dialogue.composer
    profile = Profile()
    profile.remember_phrases(["the demand forecast", "the data eng team"])
    turn = SimpleNamespace(profile=profile, step=Step.BIAS_FOR_ACTION)
    # "get a rough version of the data eng team into their hands" was a blind judge's example
    assert composer._thing(turn, "Build the thinnest working slice of {thing} by Friday.") == "the demand forecast"
    assert composer._thing(turn, "Post a two-line update on {thing} in your team channel.") == "the data eng team"


def test_a_fact_keeps_its_numbers_whole():
    from assistant.dialogue.understanding import read_facts

    facts, _ = read_facts("Our reviews dropped from 4.5 to 4.2 this year. Average wait went from about 45 minutes to roughly 12.")
    assert facts["shipped"] == "Average wait went from about 45 minutes to roughly 12"


def test_a_managers_aside_says_where_the_report_is(shared_mentor):
    session = Session()
    shared_mentor.ask("I manage six engineers. Priya has been here 3 years, I stopped reviewing her work long ago and "
                      "she wants to own something bigger", session=session)
    aside = shared_mentor.ask("Side question: she asked whether she should negotiate her RSU refresh. Any advice?",
                              session=session)
    assert "your report is still at **Ownership and Think Big**" in aside.text


def test_an_opener_does_not_contradict_the_news_and_a_choice_of_problems_gets_an_answer(shared_mentor):
    session = Session()
    texts = [shared_mentor.ask(t, session=session).text for t in (
        "Senior UX researcher, 8 yrs. Last year the CPO loved my discovery program and gave me budget. Last week the "
        "whole thing got cancelled in a cost-cutting round.",
        "honestly part of me thinks it wasn't even the right bet, PMs rarely came to the sessions",
    )]
    assert not any("out in the world" in t for t in texts)
    trusted = Session()
    shared_mentor.ask("I'm a senior engineer, my manager trusts me completely and I want to own something bigger",
                      session=trusted)
    pick = shared_mentor.ask("What should I pick though? Options: onboarding drop-off, a research repository, or a "
                             "smaller panel.", session=trusted)
    assert pick.text.startswith("**Short answer:** Pick the one closest to a number")


# --- scope read as a whole: the scope model (session 21) -------------------------------------------

@pytest.mark.parametrize("message", [
    # written for this test, in words the training data doesn't use; no word list catches them
    "what's a good carry-on bag for the monthly flights to head office? budget about 100 quid",
])
def test_a_first_message_about_something_else_is_redirected_not_placed(shared_mentor, message):
    answer = shared_mentor.ask(message, session=Session())
    assert answer.step is None and not answer.in_scope, (answer.step, answer.text)


@pytest.mark.parametrize("message", [
    "they gave me the shift supervisor title two months ago but my paycheck is exactly the same. how much more do i ask for?",
    "how many weeks of parental leave is normal to ask for when I move up to team lead at a startup?",
])
def test_a_career_adjacent_first_message_no_word_list_names_is_still_not_placed(shared_mentor, message):
    from assistant.dialogue.manager import adjacent_topic

    assert adjacent_topic(message) is None  # the word lists alone would have placed it on the wheel
    answer = shared_mentor.ask(message, session=Session())
    assert answer.step is None and "outside what the flywheel article covers" in answer.text, (answer.step, answer.text)


@pytest.mark.parametrize("message, expected", [
    # career questions that mention food, money or sport in passing stay on the wheel
    ("pastry chef, 2 years, never missed a service, but head chef still tastes every dessert I plate before it goes out",
     Step.EARN_TRUST),
    ("I coach the under-12s at our football club; the committee finally said yes to my plan for a girls' team and "
     "now I have no idea how to set it up", Step.INVENT_AND_SIMPLIFY),
    ("I know there's no raise this year. I just want my lead to stop rewriting my reports after three years of "
     "hitting every deadline", Step.EARN_TRUST),
])
def test_career_questions_that_mention_other_things_stay_on_the_wheel(shared_mentor, message, expected):
    answer = shared_mentor.ask(message, session=Session())
    assert answer.in_scope and answer.step is expected, (answer.step, answer.text)


def test_scope_model_is_only_sure_when_the_data_says_so(shared_mentor):
    model = shared_mentor.dialogue.scope_model
    vector = shared_mentor.dialogue.embedder.embed_one("How do I get my manager to trust me with bigger projects?")
    p = model.probabilities("How do I get my manager to trust me with bigger projects?", vector)
    assert abs(sum(p.values()) - 1) < 1e-5 and p["flywheel"] > 0.9
    assert model.sure("How do I get my manager to trust me with bigger projects?", vector) == "flywheel"
