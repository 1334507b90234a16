"""Reading a message: what it does (the move), what it tells us (facts), the mentee's own words.

Facts are read with patterns: precise and explainable, each keeping the mentee's own
words as evidence. A pattern that sits under a negation ("my manager doesn't trust me",
"I haven't started") does not count. The facts are features, not verdicts: the learned
step and transition models (`meaning`) weigh them with the message's meaning and words,
and the nearest move examples say what a follow-up does (`meaning.MeaningReader`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MOVES = (
    "new_situation",
    "progress",
    "objection",
    "outcome_success",
    "outcome_failure",
    "whats_next",  # what should I do now? (holds the step)
    "after_that",  # what comes after this step? (holds the step; the answer looks ahead)
    "explain",  # "can you explain what you meant?" (holds the step; the answer says it again, differently)
    "clarify_answer",
    "factual",
    "thanks",
)

_I = re.IGNORECASE
FOLLOW_UP_MOVES = ("objection", "outcome_success", "outcome_failure", "progress", "whats_next", "after_that")
OVERRIDING_MOVES = ("objection", "outcome_success", "outcome_failure")


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts), _I)


# "I run the night shift", "I manage 6 engineers": the mentee leads people (a manager reading only with a person in view).
LEADS_A_TEAM = re.compile(r"\bi (?:run|lead|manage) (?:a|an|the|my|our)\b[^.!?,;]{0,30}\b(?:team|shift|crew)\b"
                          r"|\bi manage (?:a team|\d+|[a-z]+ (?:people|engineers|analysts))\b"
                          # "I manage six auditors", "I supervise 12 nurses"
                          r"|\bi (?:manage|supervise|oversee) (?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"fifteen|twenty|a dozen|a handful of)\s+(?:\w+\s+)?\w+s\b", _I)


FACT_PATTERNS: dict[str, re.Pattern] = {
    "new_in_role": _rx(
        r"\b(?:just|recently)\s+(?:joined|started|switched|moved|transferred|been hired|got hired|landed|began)\b",
        r"\bnew\s+(?:grad|graduate|hire|joiner|starter|employee|to the team|to the company)\b",
        r"\b(?:my|a|this)\s+new\s+(?:job|role|team|company|position)\b(?!\s+(?:scheduler|service|system|tool|feature|project))",
        r"\b(?:first|1st)\s+(?:job|week|weeks|month|months|90 days|year|few weeks|sprint)\b(?!\s*(?:types?|queues?|runs?|kinds?|class|ids?)\b)",
        r"(?<!update )(?<!update: )(?<!update, )(?<!later, )\b(?:a|one|two|three|four|five|six|few|couple(?: of)?|\d+)\s+(?:days?|weeks?|months?)\s+(?:in|into (?:the|my) (?:job|role|new))\b(?!\s*[:,-])(?!\s+(?:one|two|three|a single|each|both|\d+)\b)",
        r"\b(?:nobody|no one)\s+(?:here\s+)?(?:really\s+)?knows\s+(?:me|who i am)\s+yet\b",
        r"\bstill (?:ramping|onboarding|learning the ropes)\b",
        # a learner's "working in bank as customer advisor since 5 months"
        r"\b(?:i am|i'?m|im|i work|working|i'?ve been|i have been)\b[^.!?]{0,60}\bsince (?:[1-6]|one|two|three|four|five|six|a few) (?:weeks?|months?)\b",
        r"\bstarted (?:a new|my first|at a new)\b",
        # "hi im an intern (week 3)", "second week here"
        r"\b(?:i'?m|im|i am) (?:an? |the )?(?:\w+ )?intern\b|\bintern(?:ship)? \(?week [1-6]\b|\(week [1-6]\)|(?<!every )(?<!each )(?<!one )\b(?:second|third|2nd|3rd) week\b(?! of)",
        r"\bjoined\b[^.!?]{0,20}\b(?:a|one|two|three|four|five|six|few|couple(?: of)?|\d) (?:weeks?|months?) ago\b",
    ),
    "slipping": _rx(
        r"\bi missed (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the date|my date|it)\b|\bmy fix broke\b|"
        r"\b(?:of mine|my \w+) (?:slid|slipped)\b|\bwent out late\b|\blanded (?:late|after the)\b|\b(?:always|forever) almost done\b",
        r"\b(?:miss(?:ed|ing)?|slipp?(?:ed|ing)?|blew|blown|blowing)\b[^.!?]{0,30}\b(?:deadlines?|dates?|commitments?|estimates?|sprint goals?|eta)\b",
        r"\b(?:deadlines?|dates?|commitments?|tickets?|tasks?|estimates?|projects?|work)\b[^.!?]{0,30}\b(?:slip|slips|slipped|slipping|keep running over|running late|overdue|went past)\b",
        r"\b(?:behind schedule|running late|late again|always late|overpromis\w*|underdeliver\w*|over-?commit\w*)\b",
        r"\bperformance improvement plan\b|\bon a pip\b",
        r"\b(?:went|came|got|turned|handed) in\b[^.!?]{0,15}\b(?:after|past) the (?:deadline|due date|cut-?off)\b",
        r"\b(?:tickets?|work|things)\b[^.!?]{0,20}\bstill open\b",
        r"\b(?:shipped|delivered|landed)\b[^.!?]{0,30}\b(?:\w+ )?(?:weeks?|days?|months?) late\b|\blate\b[^.!?]{0,10}\band with a bug\b",
        r"\blate (?:on|with) (?:my|the|a few|some|several|most)\b|\b(?:can'?t|cannot) rely on my (?:estimates|dates)\b",
        # in any job's words: "two late med passes flagged by pharmacy", "charting still open at the end of shift",
        # "the audit she turned in was rushed, half the rooms weren't actually checked"
        r"\b(?:late|missed|rushed|sloppy|incomplete|wrong)\b[^.!?]{0,25}\b(?:flagged|written up|sent back|kicked back|complained about)\b",
        r"\b(?:two|three|four|several|\d+|one|another) late (?:med(?:ication)?s?(?: pass(?:es)?)?|charts?|reports?|returns?|filings?|"
        r"submissions?|notes|invoices?|orders?)\b|\bstill open at the end of (?:the )?(?:shift|day)\b",
        r"\b(?:had|got) a (?:callback|call-back|comeback)\b|\bi missed (?:a|an|the) (?:loose|step|check|detail|fault|leak|crack|bolt|wire|lug|setting)\b|"
        r"\b(?:come|comes|came|coming) in late\b|\b(?:come|comes|came) back (?:for|with) (?:a )?corrections?\b|\b(?:turned|handed|sent) in was rushed\b|\b(?:my|her|his|their|the) (?:\w+ )?(?:audit|report|work|job|check|count|notes|"
        r"charting) (?:was|were) rushed\b|\bweren'?t (?:actually |really )?(?:checked|done|finished|counted)\b|\bcomplained (?:twice|again|\d+ times)\b",
    ),
    "caused_incident": _rx(
        # "Last month I made big mistake, I uploaded wrong file for the bonus run"
        r"\bi (?:made|did) (?:a |one )?(?:big|huge|costly|serious|bad|terrible|massive|expensive) (?:mistake|error|blunder)\b"
        r"(?!\s+(?:by )?(?:moving|taking|joining|coming|accepting|leaving|choosing|going|switching|picking)\b)",
        # a costly mistake of their own, outside software too ("i forgot to check the walk-in… we lost about 3500 dollars of product")
        r"\b(?:i forgot|i missed|i skipped|my mistake|my error)\b[^.!?]{0,80}\b(?:we|i|the (?:company|restaurant|clinic|firm|store)) lost\b"
        r"|\b(?:my (?:mistake|error)|i)\b[^.!?]{0,30}\bcost (?:us|the (?:company|restaurant|clinic|firm|store|client)) (?:about |around |over |~)?\$?\d",
        r"\bit was my (?:deploy|change|config|push|release|migration|script|commit|pr|fault|mistake)\b|\b(?:went|was|were) down\b[^.!?]{0,60}\b(?:my (?:deploy|change|fault|config|release)|because of me)\b",
        r"\b(?:caused|triggered|responsible for|blamed for|behind|my fault)\b[^.!?]{0,40}\b(?:outage|incident|sev ?[0-3]|downtime|production issue|data loss)\b",
        r"\b(?:i|my (?:deploy|change|config|migration|push|release|code|script|commit|pr))\b[^.!?]{0,30}\b(?:took|take|brought|bring|knocked)\s+(?:down|out)\b",
        r"\b(?:i|my (?:deploy|change|config|migration|push|release|code|script|commit|pr))\b[^.!?]{0,30}\b(?:broke|corrupted|crashed|wiped)\b[^.!?]{0,30}\b(?:prod|production|the site|checkout|the database|customers?|the service)\b",
        r"\b(?:outage|incident|sev ?[0-3]|downtime)\b[^.!?]{0,40}\b(?:my fault|because of me|on me|i caused|caused by me|caused by my)\b",
        # "I signed off the rebar inspection and missed that the spacing was wrong… probably 30-40k and a week lost"
        r"\bi (?:signed off|approved|checked|missed)\b[^.!?]{0,80}\b(?:was wrong|were wrong|wrong in|missed that|mistake|error)\b"
        r"|\b[£$€]?\d+(?:\s?-\s?\d+)?\s?k\b[^.!?]{0,20}\b(?:lost|loss|to fix|and a (?:week|day|month) lost)\b",
        r"\bpost-?mortem\b[^.!?]{0,40}\b(?:my|me)\b",
        # "signed off a batch w/o doing the seal pull tests. batch leaked at the customer, we ate a 40k credit"
        r"\bsigned off\b[^.!?]{0,40}\b(?:w/o|without) (?:doing|running|checking)\b|\bate a [£$€]?\d+\s?k? (?:credit|loss|bill)\b"
        r"|\b(?:leaked|failed|broke|recalled) at the (?:customer|client)\b",
        r"\b(?:pushed|shipped|deployed|merged|rolled out)\b[^.!?]{0,60}\b(?:took|brought|knocked) (?:down|out)\b",
        r"\bbricked\b[^.!?]{0,20}\b(?:units|devices|machines|phones|customers|\d+)\b|\bbroke (?:prod|production)\b|\b(?:the guy|the one|the person) who broke\b|\bdouble-charged\b",
        r"\bit was (?:prod|production)\b|\b(?:orders|records|data|rows|payments|files) (?:were|was) (?:gone|lost|deleted|wiped)\b",
        r"\b(?:i|we) (?:deleted|dropped|wiped|truncated)\b[^.!?]{0,40}\b(?:prod|production|table|database|data)\b",
    ),
    "has_track_record": _rx(
        r"\bcomebacks? (?:are |were )?(?:basically |almost |practically )?(?:zero|none|nil)\b|\b(?:zero|no) comebacks\b"
        r"|\bhighest (?:[\w-]+ ){0,3}in the (?:shop|team|office|unit|store|department|ward|branch)\b|\b(?:my|the) [\w-]+ no errors\b",
        # a trade's record: "never late, his rough-in passes inspection first time every time"
        r"\b(?:first time|right first time),? every time\b|\bnever (?:once )?(?:late|missed a (?:shift|day|date|deadline))\b",
        r"\b(?:shipped|delivered|hit|met|closed|finished|landed|made)\b[^.!?]{0,60}\b(?:on time|every (?:deadline|date|sprint|commitment)|all (?:my|of my|the) (?:deadlines|dates|commitments)|consistently|reliably|without (?:a )?slip)",
        r"\b(?:every|each) (?:deadline|date|commitment|sprint goal)s?\b[^.!?]{0,25}\b(?:hit|met|made)\b",
        r"\b(?:always|consistently|reliably) (?:deliver|ship|hit|meet|finish)\w*\b|\b(?:deliver|ship)\w* (?:consistently|reliably)\b",
        r"\bclosed (?:everything|all(?: of it)?) (?:i|we) (?:com+it+ed|promised|planned|signed up for)\b|"
        r"\b(?:got|sent|turned|handed|delivered)\b[^.!?]{0,40}\b(?:out|in) early\b|\bfewer (?:errors|mistakes|bugs|corrections) than\b",
        r"\b(?:\d+|a few|two|three|four|five|six|several) (?:weeks?|months?|shifts?|weekends?)\b[^.!?]{0,20}[.,:;]?\s*(?:no|zero) (?:misses|mistakes|errors|slips|complaints)\b",
        # a clean run, in any job's words: "3 weekends no yelling", "two months without a flagged chart"
        r"\b(?:\d+|two|three|four|five|six) (?:weekends|weeks|shifts|sprints|months|services|releases) (?:in a row )?(?:with )?(?:no|without|zero)\b",
        r"\b(?:good|solid|strong|great|clean|proven) track record\b",
        r"\b(?:i(?:'m| am)|been) (?:the )?(?:reliable|dependable|consistent)\b",
        r"\b(?:steady|solid|strong) (?:record|output|delivery)\b",
        r"\b(?:zero|no) (?:\w+ ){0,2}(?:issues|errors|incidents|mistakes|misses|complaints|corrections)(?: since| in (?:\w+ )?(?:weeks|months))\b",
        r"\bproven myself\b|\bgreat run\b|\bclose my tickets\b|\b(?:the )?reliable one\b",
        r"\b(?:every|all (?:my|the|our)?)\s*(?:release|launch|deploy|delivery|ticket|sprint|task)s?\b[^.!?]{0,30}\b(?:on time|clean|on schedule)\b",
        r"\b(?:every|each|all)\b[^.!?]{0,60}\b(?:(?:was|were|went out|closed|done|in) (?:on time|early|on schedule)|(?:two|2|a few) days early)\b|\b(?:was|were) on time\b",
        r"\balways (?:in |out |done |delivered |shipped )?on time\b|\b(?:my|the team'?s?) most (?:dependable|reliable)\b",
        r"\bshipped (?:\w+ ){0,3}cleanly\b|\b(?:hasn'?t|haven'?t|never) (?:missed|slipped|blown) (?:a|any|one)\b",
        r"\bzero (?:sev\w*|incidents|pages|bugs|outages)\b|\bbeen green for\b|\bcaught \d+\b",
        # "every close on time since feb", "hasnt had a single correction", "never late, hits rate every week"
        r"\bevery (?:\w+ )?(?:close|shift|order|job|delivery|filing|report|deadline|service|month-?end|batch)s? (?:\w+ )?on time\b"
        r"|\b(?:hasn'?t|hasnt|haven'?t|havent|not) had a single (?:correction|error|mistake|complaint|miss)\b|\bnot a single (?:correction|error|mistake|complaint|miss)\b",
        r"\b(?:planning|prep|paperwork|reports?|work|marking|rota|orders?) (?:is|are) always (?:in |done |ready )?(?:on time|early)\b|\b(?:\d+|two|three|four|five|six|eight) (?:weeks?|months?) of [^.!?]{0,30}\b(?:zero|no) (?:flags|errors|issues|misses|complaints|corrections)\b|\bnever late\b|\b(?:hits?|meets?|makes?) (?:her |his |their |my )?(?:rate|target|numbers|quota)s? every (?:week|day|shift|month)\b"
        r"|\b(?:one of )?(?:the|my|our) most (?:reliable|dependable)\b",
    ),
    "trusted": _rx(
        r"\b(?:didn'?t|doesn'?t|dont|didnt|doesnt|does not|did not) even look at (?:the last one|my (?:tickets|work|reports|charts|drafts|numbers))\b"
        r"|\bi'?m the one they send\b|\bpings? me directly\b|\bask(?:s|ed)? (?:for )?my opinion\b"
        # offered something to own: "asked if I'd want to own 'background jobs' as an area next half"
        r"|\b(?:asked|asks|offered) (?:me )?(?:if|whether) (?:i'?d|i would|i want(?:ed)?) (?:want |like )?to (?:own|lead|run|take (?:on|over))\b"
        r"|\boffered me (?:the|a) (?:lead|chance to (?:own|lead|run))\b"
        # "When line stops they call me first", "my supervisor sign my maintenance reports without reading"
        r"|\b(?:they|everyone|everybody|people|he|she) (?:always )?(?:calls?|asks?|comes? to|sends? for|phones?) (?:for )?me first\b"
        r"|\b(?:he|she|they|supervisor|manager|boss|lead|chef|doctor|physician|director|foreman|partner)\b[^.!?]{0,15}"
        r"\bsigns? (?:off )?(?:on )?my (?:[\w-]+ ){0,2}without (?:even )?(?:reading|checking|looking)\b"
        r"|\b(?:now )?sends? me (?:all )?(?:the )?[\w-]+ (?:stuff|jobs|letters|cases|calls) (?:now|directly)?\b",
        r"\b(?:hand|give|leave) (?:him|her|them|me) (?:a|the|whole) (?:\w+ ){0,2}and (?:just )?(?:forget about it|walk away|leave (?:him|her|them|me) to it)\b",
        r"\bbacks? (?:my|our) (?:calls|decisions|judg\w+)\b|\b(?:hands?|gives?|forwards?) me (?:the )?(?:hard|hardest|tricky|trickiest|important|critical)\b",
        r"\bpromoted to (?:staff|senior|lead|principal|tech lead)\b",
        r"\bwithout (?:a second look|checking|reviewing|a review)\b|\bstopped (?:reviewing|checking|double-checking)\b|\bask(?:s|ed)? for (?:her|him|me|them) (?:directly|by name)\b",
        r"\b(?:manager|boss|lead|director|skip|vp|team|she|he|they|people|everyone|leadership)\b[^.!?]{0,30}\b(?:trusts? me|trusting me|has confidence in me|back(?:s|ed)? me|relies on me|rely on me|count on me|vouch(?:es)? for me|comes? to me(?! (?:asking|to ask|wanting|about|with)))\b",
        r"\bi(?:'ve| have)?\s+(?:earned|built|got|gained|have|built up)\b[^.!?]{0,20}\b(?:trust|credibility|goodwill|reputation)\b",
        r"\b(?:go-to (?:person|engineer)|go to person|trusted (?:engineer|member|person)|without (?:double-?checking|checking|review)|free rein|a lot of autonomy|full autonomy)\b",
        r"\bi(?:'m| am) trusted\b|\bpeople come to\b|\beveryone (?:on the team )?(?:trusts|comes to)\b|\blets me do what i want\b",
        r"\bleaves? me alone\b|\bleaves? (?:the \w+|it|everything|the decisions?) (?:up )?to me\b|\bsigns? off (?:on )?(?:whatever|anything|everything) i\b|"
        r"\bi'?m the one (?:the |my )?\w+ (?:pull|pulls|bring|brings|call|calls|page|pages)\b|\byou know (?:the \w+|it|this) better than (?:anybody|anyone)\b|\bthe person (?:she|he|they|everyone|people)\b[^.!?]{0,10}\brel(?:y|ies) on\b|\brel(?:y|ies) on me most\b",
        r"\b(?:asked|invited) (?:me|her|him|them) to (?:join|lead|own|run|drive)\b|\bhanded (?:me|her|him|them)\b|\bgave (?:me|her|him|them) (?:ownership|the lead)\b",
        r"\bsends? (?:me|her|him|them)? ?(?:all )?(?:the )?(?:hard|hardest|tricky|trickiest|difficult|nervous|anxious|complicated|complex|urgent|"
        r"toughest|tough) (?:\w+ )?(?:(?:to|over to) (?:me|her|him|them)|cases|ones|patients|clients|customers|calls)\b",
        r"\bgave (?:me|her|him|them) (?:the \w+ )?outright\b|\basks? (?:me|her|him|them) (?:now )?(?:before|first)\b|\bi'?m the one (?:they|people|everyone|he|she) (?:page|call|go to|ask|turn to)\b",
        r"\b(?:wants?|asked|asks) (?:me|her|him|them) to (?:own|lead|run|take over|roll (?:it|this) out (?:to|at|across))\b",
        # the bigger ask comes to them: "the CTO asked me to write up what a company-wide platform would look like"
        r"\b(?:asked|asks|wants) (?:me|her|him|them) to (?:write up|draft|propose|put together|scope out) (?:what|how|a|an|the)\b",
        r"\bapproves? (?:my|her|his|their) (?:prs?|pull requests?|work|code|changes|drafts?) without (?:comments?|changes|edits|review|a second look)\b",
        r"\binvited (?:me|her|him|them) to\b|\blets (?:me|her|him|them) (?:set|decide|own|run|lead|pick)\b|\b(?:teams?|people|everyone)\b[^.!?]{0,15}\b(?:came|come|keep coming|goes|go) (?:to (?:me|her|him) )?(?:now )?(?:asking|for)\b",
        r"\bi'?d trust (?:her|him|them) with\b|\bgoes to (?:her|him) (?:now )?for\b|\bi (?:\w+ )?trust (?:her|him|them)(?: with\b|\W*$|\.)",
        r"\b(?:asked|asks) if (?:i|she|he|they) could (?:help|lead|own)\b|\b(?:dm|ask|asks|come to) (?:her|him|them|me) for advice\b",
        r"\bnever (?:checks?|looks? at|reviews?|questions?) (?:what i do|my work|anything i (?:do|send|write))\b"
        r"|\bstopped (?:looking at|reading|checking) (?:her|his|their|my) \w+"
        r"|\b(?:newer|other|junior|new) (?:\w+ )?(?:teachers|nurses|staff|starters|hires|colleagues|people) (?:go|come|turn) to (?:her|him|me)\b"
        r"|\bgives? me (?:all )?the (?:difficult|hard|hardest|tricky|trickiest|toughest|angry|complicated)\b"
        r"|\bcome back to me with (?:what|how|a plan|a proposal|ideas|options)\b",
    ),
    "wants_scope": _rx(
        r"\b(?:bored|restless)\b[^.!?]{0,30}\bwants? to ['\u2018\"]?do more\b|\bwants? to ['\u2018\"]?do more['\u2019\"]?\b(?! (?:of|than)\b)",
        r"\b(?:more|bigger|broader|larger|wider)\s+(?:scope|responsibilit\w*|ownership|impact|projects?|problems?|challenges?|influence|say)\b",
        r"\b(?:get|getting) promoted\b|\bpromotion\b|\bnext level\b|\bstep up\b|\bstretch (?:project|assignment|work)\b",
        r"\bready for more\b|\b(?:on|to) small (?:stuff|things|tasks|tickets)\b|\bonly (?:get|given|getting) (?:small|boring|maintenance|tickets)\b",
        r"\bown(?:ing)? (?:a|the|something) (?:bigger|whole|entire|larger)\b|\b(?:want|asked|ask) to lead\b|\borg-(?:wide|level)\b",
        # a side project that took off: "it's not my actual job", "ask my manager to make this my actual job"
        r"\bmake (?:this|it|that) my (?:actual |real |full[- ]time |day )?job\b|\bwork on (?:it|this|that) full[- ]time\b|"
        r"\bside project\b",
    ),
    "manager_said_no": _rx(
        r"\b(?:manager|boss|lead|director|vp|leadership|skip|she|he|they)\b[^.!?]{0,30}\b(?:said no|say no|turned (?:it|me|the \w+) down|rejected|shot (?:it|me) down|declined|vetoed|won'?t (?:fund|approve|let|support)|not convinced|isn'?t convinced|wasn'?t convinced|passed on it)\b",
        r"\b(?:pitch|proposal|idea|doc|request|ask|plan)\b[^.!?]{0,20}\b(?:was |got |been )?(?:rejected|turned down|shot down|declined|denied|vetoed)\b",
        # "my pitch … got a no from my PI", "got a hard no"
        r"\b(?:pitch|proposal|idea|request|ask|plan|it)\b[^.!?]{0,60}\bgot (?:a|an) (?:hard |flat |clear |polite )?no\b",
        r"\b(?:said|says|told (?:me|us))\s*,?\s*['\u2018\u201c\"]?(?:not now|not yet|not this (?:quarter|half|year)|maybe later|maybe next year|no budget)\b|\bbudget freeze\b",
        # a deflection is a no too: "I did ask him and he said it's 'just policy'", "she brushed it off"
        r"\b(?:said|says|told (?:me|us))\s*,?\s*(?:that\s+)?['\u2018\u201c\"]?(?:it'?s|it is|that'?s|that is)\s+['\u2018\u201c\"]?(?:just\s+)?"
        r"(?:policy|procedure|protocol|standard(?: practice)?|how (?:it|things|we) (?:works?|do (?:it|things)|are done)|the (?:way|rule|process)|"
        r"not (?:up to (?:me|him|her|them)|my call|possible|happening))\b",
        r"\b(?:brushed|laughed|waved) (?:it|me|the \w+) off\b|\bchanged the subject\b",
        # "Her answer: 'love this, but not this half'"
        r"\b(?:said|says|answer(?:ed)?|repl(?:y|ied)|response|told (?:me|us))\b[^.!?]{0,40}\bbut not (?:right )?(?:now|yet|this (?:quarter|half|year|sprint|cycle|season))\b",
    ),
    "idea_approved": _rx(
        r"\b(?:boss|gm|director|manager|vp|pm|head|chief|ceo|cfo|cto|principal|board|partners?)\s+(?:said|says?)\s+(?:go|ok|okay|yes)\b(?! (?:to (?:the|a)|and|for))",
        # handed the big thing: "she wants me to lead the ios side of the redesign next quarter. its mine."
        # (being asked to own a chore, "own the runbook cleanup", is trust, not a yes to a bigger idea)
        r"(?:^|[.!?]\s+)it'?s (?:all )?mine(?: now)?\s*[.!]",
        r"\b(?:pm|manager|boss|director|vp|super|superintendent|she|he|they)\b[^.!?]{0,10}\bsaid (?:to )?go (?:ahead|for it)\b(?! and (?:fix|do|take|finish|handle))"
        r"|\b(?:ok'?d|okayed|okay'?d) (?:the|it|my|our|his|her|a|an)\b",
        r"\bgot (?:the )?(?:budget|funding|headcount)\b|\bagreed to (?:give me|let me|fund)\b",
        r"\b(?:pitch|proposal|idea|project|design|plan|doc|rfc|initiative|it|request|ask|bid|business case)\b[^.!?]{0,50}\b(?:was |got |is |been )?(?:approved|green[- ]?lit|greenlit|signed off|funded)\b",
        r"\b(?:approved|green[- ]?lit|greenlit|funded|signed off on)\s+(?:it|my|the|our)\b|\bgreen light\b|\bgave (?:me )?the go\b|\bgot (?:the )?go[- ]ahead\b",
        r"\b(?:director|manager|boss|head|chief|vp|ceo|cfo|board)\s+(?:approve|agree)s?\s+(?:my|the|our)\s+(?:idea|plan|proposal|project)\b",
        # a trial granted: "they're letting me do the breakfast pastry as a 3 month trial"
        r"\b(?:letting|let|lets|allowed|allowing) (?:me|us) (?:do|run|try|pilot)\b[^.!?]{0,60}\bas an? (?:\w+[- ]?){0,3}(?:trial|pilot|test)\b",
        r"\bsaid yes\b|\bbought in\b|\bon board with\b|\bgot what i asked for\b",
        r"\b(?:said|told (?:me|us))(?: to)?,? [\"“']?(?:go for it|run with it|it'?s (?:yours|mine))\b|\bgave (?:me|us) the (?:nod|thumbs[- ]up|ok|okay)\b",
        r"\b(?:she|he|they|director|manager|skip|vp)\s+signed off\b(?![^.!?]{0,20}\b(?:had|with|contained)\s+(?:\w+\s+)?(?:errors?|mistakes?|issues?|problems?))",
        # "boss said sort it out, its mine": the problem handed over
        r"\b(?:said|told (?:me|us))(?: to)?,? (?:sort|fix|deal with|take on|own|handle|run) (?:it|this|that)(?: out)?,? it'?s (?:all )?(?:mine|yours)\b",
        r"\b(?:director|manager|boss|vp|leadership|skip|she|he|they)\b[^.!?]{0,20}\b(?:agreed|loved (?:it|the idea)|liked (?:it|the idea))\b"
        # ... but agreeing how the checks will run isn't a yes to a bigger idea: "we agreed spot checks"
        r"(?! (?:on |to )?(?:do )?(?:spot[- ]?checks?|check-?ins?|reviews?|a threshold|thresholds|weekly|daily|a trial period)\b)",
        r"\b(?:director|manager|boss|vp|cto|cfo|ceo|gm|head|lead|she|he|they)\b[^.!?]{0,20}\bagrees? (?:\w+ ){0,2}that (?:i|we) (?:can|could|should)\b",
        r"\bgot (?:my|our|the) (?:\w+ ){0,2}(?:vp|director|manager|boss|cto|head|lead) to (?:let|approve|fund|sign off)\b",
        # handed the bigger thing itself, with a mandate: "wants me to lead a working group on…, until Q3 to come back with a plan"
        r"\b(?:wants?|asked|asks) (?:me|us) to lead (?:a|an|the|our) (?:[\w'’-]+ ){0,4}(?:working group|initiative|effort|program|"
        r"programme|roll-?out|project|task ?force|pilot)\b|\bcome back (?:to (?:me|her|him|them) )?with a plan\b",
    ),
    "designing": _rx(
        r"\b(?:figur\w* out|work\w* out|decid\w*)\s+how\s+to\b",
        r"\b(?:designing|architecting|scoping|the design(?! work| team| system| sytem| charrettes?| meetings?| side| reviews? (?:of|for) other)|an architecture|the architecture)\b",
        r"\b(?:ambiguous|ambiguity|so many unknowns|too many unknowns|fuzzy|(?:requirements?|scope|brief) (?:are|is) (?:unclear|vague|fuzzy)|no idea where to start|don'?t know where to start|where do i even start)\b",
        r"\bhow (?:to|do i|should i) (?:solve|break (?:it|this) down)\b|\bno idea how to\b|\bturn (?:that|it|this) into (?:actual|real)\b",
        r"\bi (?:now|just) own\b|\bput (?:me )?in charge\b|\bleading the\b[^.!?]{0,40}\b(?:initiative|project|effort|migration)\b",
        r"\b(?:figure out|work out) (?:a|the) (?:sequence|plan|approach)\b|\bwhat done looks like\b",
        r"\bi'?m now\b[^.!?]{0,20}\bowner of\b|\bcarve (?:this|it) up\b|\bzero definition\b|\bbreak (?:this|it) (?:up|down) somehow\b",
    ),
    "stuck_in_analysis": _rx(
        r"\b(?:\d+|two|three|four|five|six) (?:weeks?|months?) of (?:him |her |them |me )?['\u2018\"]?(?:tweaking|polishing|refining|revising|redoing|rewriting)\b"
        r"|\bstill (?:ordering|doing (?:it|things)|working|running) the old way\b",
        r"\bon (?:version|draft|v|revision) ?(?:\d+|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b|\bnothing is (?:running|live|built|in use) yet\b|\bnobody(?: has)? (?:read|seen|reviewed|looked at) it\b|\b(?:writing|rewriting|drafting|polishing|redrawing|redesigning|reworking|revising) (?:a|the|my|this)\b[^.!?]{0,40}\bfor (?:\w+|\d+) (?:weeks|months)\b",
        r"\b(?:analysis paralysis|overthink\w*|overanaly\w*|procrastinat\w*|perfectionis\w*)\b",
        r"\b(?:keep|kept|still|been)\s+(?:polishing|tweaking|rewriting|revising|researching|refining|debating|discussing|talking about|planning(?! to\b)|waiting|tuning|['\u2018\"]?finali[sz]ing|perfecting)\b",
        r"\bhaven'?t (?:actually )?(?:started|written (?:any|a line)|built|shipped|begun|done anything)\b",
        r"\bwaiting (?:for|on) (?:permission|approval|the perfect|someone|the right time|sign-?off)\b",
        r"\b(?:stuck|sitting|gathering dust)\b[^.!?]{0,25}\b(?:review|planning|discussion|meetings|design doc|doc|backlog|drawer)\b",
        r"\b(?:weeks|months) of (?:meetings|discussion|planning|debate|reviews)\b",
        r"\bjust (?:talk|talking) about (?:it|them)\b|\bnever (?:gets?|got) (?:started|built|done)\b",
        r"\bno code yet\b|\bzero code\b|\bhaven'?t written any code\b|\bcan'?t (?:pick|decide|choose)\b|\bgoing back and forth\b|\bback and forth\b",
        r"\bgather(?:ing)? more (?:requirements|data|feedback|input)\b|\bmore benchmarks\b|\bevaluating\b[^.!?]{0,60}\bfor (?:about |almost |over )?(?:\w+|\d+) (?:weeks|months)\b",
        r"\bsitting on my (?:todo|to-do)\b|\b(?:rounds|round) of review\b|\bfind time\b",
        r"\bblocked (?:on|by|waiting)\b|\bwaiting on\b|\bnothing (?:ever )?happens\b|\bwon'?t anyone pick it up\b|\bnobody picks it up\b",
        r"\b\d+\s?% done\b|\bbefore i let\b|\bkeeps asking when\b|\bjust want to add\b|\bkeep (?:finding|adding)\b|\bsitting behind a flag\b",
        r"\b(?:zero|not a single|no) (?:lines? of code|commits?|components?|prototype)\b|\bnobody(?:'s| is) (?:building|working on) it\b",
        r"\bstill (?:on|in|doing) ['\u2018\"]?(?:research|discovery|design|planning|foundations|alignment)\b|\bbeen ['\u2018\"]?aligning\b",
        r"\bstill compar\w+\b|\bafraid to (?:choose|pick|decide|commit|start)\b",
        r"\b(?:just )?been (?:tuning|fiddling|adjusting|tweaking)\b",
        r"\bnot (?:one|a single) (?:patient|user|customer|client|person|team|student)s? (?:has|have) (?:been through|used|tried|seen) it\b",
    ),
    "shipped": _rx(
        r"\b(?:trial|pilot)(?:'s| is| has| was) (?:over|done|finished|ended|complete)\b"
        r"|\bafter (?:\d+|two|three|four|six) (?:weeks?|months?)\b[^.!?]{0,80}\bfrom (?:about |around |~)?\d[\d.,%]* (?:\w+ )?(?:a month |a week )?to \d"
        r"|\b(?:did|rolled (?:it )?out to|tried it on|piloted (?:it )?(?:on|in|at)) (?:\d+|two|three|four) (?:units|wards|sites|stores|floors|teams|clinics|lines|shifts)\b"
        r"|\b\d+ (?:[\w-]+ )?(?:last|this) (?:month|week|quarter) vs (?:like |about |around )?\d+\b",
        r"\b(?:used|ran|run|trialled|trialed|piloted) (?:it|the (?:\w+ )?(?:checklist|tool|process|model|system|form)) (?:for )?(?:\d+|two|three|four|five|six|eight) (?:weeks?|months?)\b",
        r"\b(?:now at|used by|adopted by|rolled out to) \d+ (?:teams|customers|users|stores|services|sites|clinics)\b",
        # "croissants have been made in house for 3 weeks now… the first thing to go off the buffet"
        r"\b(?:have|has) been (?:made|running|served|live|in use|on the menu|used|sold|in place)\b[^.!?]{0,30}\bfor (?:\d+|a few|two|three|four|six) (?:days?|weeks?|months?)\b"
        r"|\bthe first (?:thing )?to go\b",
        # opened to the people it's for, or in use by them: "It opened.", "the planners are ordering with it now"
        r"(?:^|[.!?]\s+)(?:it|the (?:\w+ )?(?:gallery|exhibit|exhibition|clinic|service|pilot|shop|store|program(?:me)?|class(?:es)?))"
        r" (?:finally )?(?:opened|launched|went live)\b(?=\s*(?:[.!,;]|$|(?:to|on|last|this|in|yesterday|a week|two|three)\b))",
        r"\b(?:are|is|have been|has been) (?:now )?(?:ordering|planning|scheduling|working|booking|running|using) (?:with|on|from|off) (?:it|the (?:new )?(?:model|tool|checklist|form|template|system|process))\b",
        # ran for a while, then a measured change: "did book-at-checkout for 6 weeks, return went from 60% to 71%"
        r"\b(?:did|ran|run|tried|used|piloted|trialled|trialed) (?:\w+[- ]?){1,4} for (?:\d+|a few|two|three|four|six|eight) (?:weeks?|months?)\b"
        r"[^.!?]{0,80}\bfrom (?:about |around |roughly |~)?\d",
        r"\b(?:we|i|it|they|the (?:tool|service|feature|project|system|pilot|prototype|launch|migration))\b[^.!?]{0,20}\b(?:shipped|launched|released|rolled (?:it )?out|went live|is live|are live|is out|went out|deployed (?:it|the))\b",
        r"\b(?:it|this|that|the (?:\w+ ){0,2}(?:tool|service|feature|project|pilot|prototype|launch|migration|bet))\b[^.!?]{0,20}\b(?:worked|went (?:really |very )?well|was a (?:big |huge |real )?(?:success|hit)|paid off|took off|landed well|hit (?:our|the|its) (?:target|goal|numbers))\b",
        r"\b(?:adoption|usage|traffic|throughput)\b[^.!?]{0,20}\b(?:grew|growing|is up|doubled|tripled|took off)\b",
        r"\b(?:other|more) (?:\w+ )?(?:teams|sites|wards|units|groups|stores|clinics) (?:are|keep) asking (?:to be next|for it|to use it|to join)\b",
        r"\b(?:teams?|users?|customers?|people|pms?)\b[^.!?]{0,15}\b(?:adopted it|are using it|use it|love it|loved it|rely on it|depend on it|running on it|want in|asked to use it)\b",
        r"\b(?:they|people|folks|users|teams)(?:'re| are) (?:actually |already |now )?using it (?:daily|every day|already|a lot|heavily)\b",
        r"(?:^|[.!?]\s*)(?:we |i )?(?:shipped|launched|released) (?:it|all|the|v1)\b|\b(?:it|that)'s (?:live|out|shipped)\b|\bgot used by\b|\bahead of schedule\b",
        r"\b\d+\s?% (?:faster|better|fewer|less|cheaper)\b|\bworked so well\b|\bcaught a real bug\b",
        r"\b(?:errors?|latency|costs?|tickets|incidents|pages|stockouts|churn|build times?|toil|complaints)\b[^.!?]{0,25}\b(?:(?:are|is|went) )?(?:down|dropped|fell|cut|halved)\b",
        r"\b(?:activation|conversion|revenue|retention|usage|engagement|sign-?ups|sales|ctr|adoption|nps)\b[^.!?]{0,25}\b(?:(?:is|are|went) )?up\b",
        r"\b(?:has|have) been live\b|\b(?:down|up) by (?:a|one) (?:third|half|quarter)\b|\b(?:other|more) (?:teams|regions|groups|stores|sites) (?:asked|want|wanted) to (?:join|use it|adopt)\b",
        r"\bwent live\b|\bis live\b|\bwent ga\b|\bis ga\b|\bcut over\b|\bturned (?:\w+ )?off\b|\bended up sav\w+\b|\bsav(?:ed|ing) ~?\$|\bat the all[- ]hands\b",
        r"\b(?:dropped|fell|cut|reduced) (?:by )?~?\d+\s?%|\bwent (?:way )?up\b|\bthrilled\b",
        r"\b(?:moved|migrated) (?:the |all |our )?(?:\d+ )?(?:[\w-]+ ){0,3}(?:over|across)\b",
        r"\b(?:is|are) running (?:on|in) (?:our|their|the|production|prod)\b",
        r"\brolled (?:it )?out to\b|\bswitched within\b|\b(?:\d+|all|most) of them switched\b",
        r"\b(?:shipped|released|launched) an? (?:alpha|beta|mvp|v1|first version|prototype|pilot)\b|\bin prod(?:uction)?\b(?!\s+(?:issue|incident|outage))",
        r"\bfinished (?:\w+ ){0,2}(?:early|ahead)\b",
        r"\bpiloted (?:it|the|our|my|a|this)\b|\bran (?:a|the) pilot (?:on|with|in|at)\b",
        r"\b(?:they|crews?|nurses|managers|staff|agents|reps|teachers|the \w+ team|\w+ managers) (?:now |already )?use it (?:for|daily|every|to|in)\b|\bin (?:their|the crews'|users'|customers') hands\b",
        r"\b(?:it'?s|it has|has|have) been live\b|\b(?:flipped|switched|turned) it on\b|\b(?:went(?: down| up)?|cut|brought (?:it |them )?down) from (?:about |around |roughly |like |~)?\d[\d.,]*\s?\w* to (?:about |around |roughly |~)?\d",
        r"\b(?:other|more) (?:\w+ )?(?:teams|crews|units|departments|offices|clinics|stores|shifts|regions|sites) (?:can |could )?(?:have it|get it|use it)\b|\bif (?:his|her|their) other (?:\w+ ){0,2}(?:teams|crews|units) can\b",
        # the old way given up by the people it was for, or time given back: "numbers reconciled, they stopped
        # rebuilding. 3 days a month back for 4 people" (a blind reviewer's success was read as a flop)
        r"\b(?:numbers|figures|totals|results) (?:all )?(?:reconciled|matched|tied out|lined up)\b"
        r"|\b(?:they|the \w+|people|staff|nurses|agents|crews?) (?:have )?stopped (?:rebuilding|redoing|doing (?:it|them|that) by hand|re-?keying|copying|complaining|chasing)\b"
        r"|\b\d+ (?:hours?|days?|weeks?) (?:a|per|every) (?:week|month|quarter|shift) (?:back|saved)\b",
    ),
    "failed": _rx(
        r"\b(?:activation|conversion|revenue|retention|usage|engagement|sign-?ups|sales|ctr|adoption|nps)\b[^.!?]{0,25}\b(?:(?:actually|has|have|is|are) )?(?:went down|down|dropped|fell|decreased|declined|got worse|tanked)\b",
        r"\b(?:flopped|fell flat|backfired|fizzled|bombed|scrapped|shelved)\b",
        r"\b(?:it|this|that|the (?:\w+ ){0,2}(?:tool|service|feature|project|pilot|prototype|launch|migration|bet|idea|thing|program|programme|initiative|effort|study|product))\b[^.!?]{0,20}\b(?:failed|didn'?t work|did not work|got (?:cancell?ed|canceled|killed|cut|axed|defunded)|was (?:cancell?ed|canceled|killed|cut|axed|defunded))\b",
        r"\b(?:my|our) (?:\w+ ){0,2}(?:project|program|programme|initiative|pilot|team|effort) (?:got|was|has been) (?:cancell?ed|canceled|killed|cut|axed|defunded|shut down)\b|\b(?:cancell?ed|killed|cut|axed) in (?:a|the) (?:cost-?cutting|budget|reorg|layoff)",
        r"\b(?:cancell?ed|canceled|killed|shut down|pulled the plug on)\b[^.!?]{0,25}\b(?:project|it|my|our|the)\b",
        r"\b(?:nobody|no one|no teams?|few people|hardly anyone)\b[^.!?]{0,10}\b(?:uses|used|adopted|wants|picked) (?:it|them|my|our|the tool)\b",
        r"\b(?:nobody|no one)'?s (?:switching|using|adopting)\b|\b(?:only )?\d+ of \d+ (?:teams|services|users|apps) (?:use|switched|adopted)\b",
        # "adoption from other teams is basically zero", "exactly one team used it"
        r"\b(?:adoption|uptake|usage|take-?up|sign-?ups)\b[^.!?]{0,25}\b(?:is|are|was|has been|stays?|stayed) (?:basically |almost |close to |near |practically |still )?"
        r"(?:zero|nil|nothing|flat|non-?existent|tiny|negligible)\b|\b(?:exactly|only|just) (?:one|1) (?:team|person|user|store|site|ward|customer)s? "
        r"(?:has )?(?:used|uses|adopted|tried|signed up)\b",
        r"\b(?:got|made (?:it|things)) (?:worse|slower)\b|\bregressed\b|(?<!automated )(?<!automate )(?<!full )(?<!running )(?<!run )\bregression\b(?!\s+(?:tests?|testing|suites?|packs?|runs?|coverage|scripts?|checks?)\b)|\bmissed (?:them|the targets|our targets)\b|\broll(?:ed|ing)? (?:it )?back\b|\brollback\b",
        r"\b(?:low|poor|zero|no) adoption\b|\b(?:not|wasn'?t|weren'?t|never) (?:adopted|used)\b",
        r"\bwrong (?:bet|idea|call|problem)\b|\bdoubt\w* (?:the whole|whether)\b|\b(?:was|is) (?:it|this) (?:even )?(?:the right|worth(?! trying| asking| staying| it to))\b|\bwhether it was (?:even )?worth\b|\bonly (?:gone|went|dropped|moved|fell) from\b|\bnot sure (?:it|this) was (?:the right|worth)\b",
        r"\bmissed (?:the|our|its) (?:target|goal|numbers|mark)\b|\bdidn'?t move the (?:needle|metric)\b|\bunderperform\w*\b",
        r"\b(?:did not|didn'?t|does not|doesn'?t|has not|hasn'?t) (?:go down|come down|improve|drop|move|help|change)\b"
        r"|\b(?:scores?|numbers?|metrics?|results?|rates?|sales|figures|kpis?)\b[^.!?]{0,10}\b(?:have not|haven'?t|has not|hasn'?t) (?:moved|budged|changed|improved)\b"
        r"|\b(?:should|could|might) (?:just )?go back to (?:the old|frozen|how it was|the previous|the way)\b|(?:^|[.!?]\s*|\b(?:the|my|its|the pilot'?s|the trial'?s) )results (?:are|were) (?:bad|poor|disappointing)\b",
        r"\b(?:win|close|hit|conversion|retention|click-?through) rate\b[^.!?]{0,25}\b(?:dropped|fell|went down|declined|is down)\b",
        r"\bwent (?:\d+\s?% )?over budget\b|\b(?:client|customer)s? complained\b|\bwants to scrap\b",
        # "14 booked, 5 actually turned up, only 2 came back", "PM says it's not worth the afternoon"
        r"\bonly (?:\d+|one|two|three|a few|a handful)\b[^.!?]{0,15}\b(?:came back|turned up|showed up|used it|stayed)\b"
        r"|\b(?:says?|said|thinks?) (?:it'?s|its|it is|it was) not worth (?:it|the)\b|\b(?:never|don'?t|do not) (?:look at|use|read|open) (?:it|the (?:list|tool|report|sheet|app))\b",
    ),
    "checked_closely": _rx(
        r"\bstill (?:gives|hands|sends|assigns) (?:all |every |the )[^.!?]{0,40}\bto (?!me\b|us\b)\w+\b",
        r"\b(?:doesn'?t|don'?t|does not|do not|won'?t|never|still (?:doesn'?t|don'?t)) (?:really |fully |yet )?trust (?:me|my (?:work|judg\w+|code|calls))\b",
        # someone going over the mentee's work ("she re-reads every single one of my charts"), not the mentee's own plan
        # ("rewrite all 4 in swiftui or keep objc?", "should I rewrite all of it")
        r"(?<!^)(?<![.!?] )(?<!\bi )(?<!\bto )(?<!\bor )(?<!\bwe )"
        r"\b(?:reviews?|checks?|sanity[- ]checks?|double[- ]checks?|rewrites?|redoes|edits?|re-?reads?|proofreads?) (?:every|all|each)\b|\b(?:reads?|corrects?) (?:every|all|each) (?:single )?(?:one of )?my\b"
        r"|\bmicromanag\w*\b|\bdaily status\b",
        r"\b(?:cc'?(?:ing|s)?|copies|copying) (?:herself|himself|themselves) on (?:everything|every)\b|\bnever (?:been )?(?:put|invited|included) (?:on|in|to)\b",
        r"\bnot in (?:the )?(?:planning|design|roadmap|leadership|important) (?:meetings?|discussions?|calls?)\b|\binvites? only\b",
        r"\bnot in the room\b|\bleft out\b|\bnot (?:consulted|invited)\b|\bpassed over\b|\boverlooked\b|\broutes? (?:anything|everything) important\b",
        r"\bstill (?:asks|routes|gives)\b[^.!?]{0,40}\b(?:someone else|to priya|to others|the big stuff)\b",
        r"\b(?:checks?|reviews?|double[- ]checks?|looks? over|wants to see|rewrites?) (?:my|all my|each of my) [\w -]{1,25}? (?:every|each|before)\b",
        r"\bwatch(?:es|ing)? (?:everything|every (?:thing|move|step)|(?:over )?(?:me|my work) like a hawk)\b",
        r"\b(?:stopped|stop|won'?t|doesn'?t) lett?ing me (?:sign|approve|run|do|touch|lead|own)\b",
        r"\b(?:gave|gives|giving|handed|hands) (?:it|them|that|the \w+(?: \w+)?) to (?:someone else|the new|another|a (?:\w+ )?(?:dev|engineer|guy|colleague|peer)|my (?:peer|colleague|teammate))\b",
    ),
    "pitching": _rx(
        r"\b(?:propos\w*|pitch\w*)\b[^.!?]{0,60}\bto (?:my|our|the) (?:director|skip|vp|manager|boss|leadership|cto)\b",
        r"\bhow (?:do|should) i (?:frame|pitch|sell|propose)\b(?! (?:myself|me)\b)|\basked (?:to|if i could) (?:roll it out|expand|take it|scale)\b",
        r"\b(?:wants?|want) to propose\b|\bpitching it\b",
        # a "maybe" or "write it up" is not yet a yes: the ask is still open
        r"\bnothing(?:'s| is| has been| was)? (?:\w+ )?(?:ap?proved|signed off|agreed)\b|\bit'?s (?:only |just )?a ['\u2018\"]?maybe\b|\b(?:only|just) said ['\u2018\"]?maybe\b|\bsaid ['\u2018\"]?write it up\b",
    ),
    "customer_focus": _rx(
        r"\b(?:matters?|useful) to (?:the )?(?:people|users|customers|teams)\b|\bwho (?:actually )?uses (?:it|this|my|our)\b",
        r"\b(?:who(?:'ll| will)? use it|users|customers|agents)\b[^.!?]{0,30}\bcomplain\w*\b",
        r"\badoption is (?:stuck|flat|low)\b|\b(?:users?|customers?|teams) (?:complain|hate|are unhappy|keep complaining)\b",
        r"\bwhat (?:users|customers|they) (?:actually )?(?:want|need)\b|\bcool to me\b|\bonboarding (?:is )?(?:painful|hard|takes)\b",
        r"\b(?:don'?t|do not) (?:even )?know (?:if|whether|what) (?:our )?(?:patients|users|customers|clients|guests|students|people) (?:want|need|like)\b"
        r"|\bwe never asked (?:them|the (?:patients|users|customers|clients)|our (?:patients|users|customers|clients))\b",
    ),
    "manages_others": _rx(
        # "my reports are coming back wrong": documents, not people
        # ("read every my report before it go out": a learner's English for documents)
        r"(?<!in )(?<!on )(?<!of )(?<!checking )(?<!checks )(?<!check )(?<!reviews )(?<!reviewing )(?<!finish )(?<!send )"
        r"(?<!every )(?<!each )(?<!all )(?<!reads )(?<!read )(?<!corrects )(?<!correct )(?<!writes )(?<!write )"
        r"\b(?:my|one of my) (?:direct )?(?:reports?(?!\s+(?:are|is|were|was|keep|kept)\s+(?:\w+\s+)?(?:coming|wrong|late|off|broken|"
        r"failing|inaccurate|due|slow|empty))(?!\s+(?:went|go|goes|had|has|contained|showed|shows|got sent|was sent|were sent|with)\b)"
        r"|mentees?|junior(?: engineers?| devs?)?|new hires?|engineers?'?|senior engineers?|tech lead)\b",
        # in other trades' words: "one of my journeymen, Dez", "my assistant PM, Dana", "foreman, 14 guys"
        r"\bone of my (?:journeymen|apprentices|nurses|techs|technicians|analysts|designers|cooks|chefs|agents|reps|hygienists|"
        r"teachers|associates|assistants|staff|crew|team members|guys|people|employees|workers)\b",
        # any job's people, named or talked about: "One of my shift leads, Marcus, redesigned…", "one of my
        # pharmacy techs keeps … she" (not friends, peers, patients, clients or one of my shifts)
        r"\bone of my (?!(?:\w+ )?(?:friends|colleagues|peers|co-?workers|teammates|mates|managers|bosses|directors|"
        r"supervisors|seniors|projects|ideas|tasks|reports|mistakes|kids|children|sons|daughters|parents|classmates|"
        r"clients|customers|patients|students|pupils|guests|residents|suppliers|vendors|shifts|jobs|days|weeks)\b)"
        r"(?:[\w-]+\s+){0,2}[a-z-]+s\b(?=,\s*[A-Z][a-z]+|,\s*\d|[\s\S]{0,200}?\b(?:he|she|him|her|his|hes|shes)\b)",
        # (not "my journeyman": to an apprentice that is the boss)
        r"\bmy (?:new )?(?:assistant|apprentice|trainee|intern|deputy|second-in-command|supervisee)s?\b(?! (?:manager|director|head|principal))",
        r"\b(?:foreman|supervisor|charge nurse|head nurse|head chef|shift (?:lead|manager)|store manager)\b[^.!?]{0,30}\b\d+ "
        r"(?:guys|people|men|women|staff|electricians|techs|nurses|cooks|workers|agents|reps)\b",
        LEADS_A_TEAM.pattern,
        r"\bi (?:have|manage) an? (?:new grad|mid-level|junior|senior|engineer)\b|\bi line[- ]manage\b",
        r"\b(?:someone|an engineer|a developer|a dev|a person|somebody)\b[^.!?]{0,20}\b(?:on my team|i manage|who reports to me|i mentor|i lead)\b",
        r"\b(?:as (?:a|her|his|their|the) (?:manager|eng manager|engineering manager|tech lead|team lead|mentor))\b",
        r"\bi (?:manage|mentor|coach)\b[^.!?]{0,30}\b(?:someone|engineers?|people|him|her|them|an? )\b",
        r"\bhow (?:do|can|should) i (?:help|grow|coach|mentor|develop|support)\b[^.!?]{0,15}\b(?:him|her|them|my report|my mentee)\b",
        # someone on their section they ask how to handle: "got a lad on my section, 19, commis … how do I handle him"
        r"\b(?:got|have) an? (?!(?:[\w-]+ ){0,2}?(?:manager|boss|supervisor|lead|director|head|owner|ceo|chef|sous)\b)"
        r"(?:[\w-]+ ){0,2}(?:on|in) my (?:section|team|shift|line|crew|ward|brigade|floor|kitchen)\b[\s\S]{0,400}?"
        r"\bhow (?:do|can|should) i (?:handle|manage|motivate|tell|talk to|deal with|help|coach|develop|support)\b[^.!?]{0,15}\b(?:him|her)\b",
        # one of their people, named: "One of my bakers, Marcus, 2 years with us" (not a colleague, friend or client)
        r"\bone of my (?!colleagues|coworkers|co-workers|friends|peers|customers|clients|patients|students|kids|children|"
        r"managers|bosses|teachers|professors|mentors|classmates|neighbou?rs|parents|siblings|cousins|exes)[a-z-]+s,? (?-i:[A-Z][a-z]+)\b",
        # someone who works for them, in any trade: "My saucier Marco has been with me 8 months"
        r"\b(?:has|have) been (?:with me|working for me|on my (?:team|crew|line|shift)) (?:for )?(?:\d+|a|an|one|two|three|four|five|six|"
        r"about|almost|nearly|over|since)\b|\b(?:works?|worked) (?:for|under) me\b"
        r"|\breports? (?:directly )?to me\b|\bi hired (?:him|her|them)\b",
    ),
}

_NEGATION = re.compile(
    r"(?:\w+n['’]t|\bnot|\bnever|\bno longer|\bno\b|\bdoesnt|\bdont|\bwithout|\blost|\bneed(?:s)? to|\bwant(?:s)? to|\btrying to|\bhow (?:do|can) i|\bhope to|\bbuild(?:ing)? (?:a|up)|\bhaven'?t|\bhasn'?t|\bif)\W+(?:\w+\W+){0,5}$",
    _I,
)
_NOT = r"\w+n['’]t\b|\b(?:not|never|no longer|cannot|dont|doesnt|didnt|isnt|wont|hasnt|havent)\b"
_NEGATED_INSIDE = re.compile(_NOT, _I)
# Facts where a negation or a wish in front flips the meaning ("doesn't trust me", "want a track record").
NEGATABLE = {"has_track_record", "trusted", "idea_approved", "shipped", "wants_scope", "slipping"}
NEGATION_ONLY = {"wants_scope", "slipping"}  # a wish doesn't undo these ("I need to stop slipping")

MOVE_PATTERNS: dict[str, re.Pattern] = {
    "thanks": _rx(
        r"^\W*(?:(?:ok(?:ay)?|k+|cool|great|nice|awesome|perfect|got it|alright|all right|right|sweet|brilliant|lovely|ace|fair enough)[,!. ]+){0,3}(?:(?:muchas )?gracias|merci|danke|obrigad[oa]|thanks?|thank you|thx|ty|cheers|much appreciated|appreciate (?:it|this)|bye|goodbye|see you|great,? thanks|perfect,? thanks|(?:that|this)(?:'s| is| was) (?:really |very |so |super )?(?:helpful|great|useful)|very (?:helpful|useful)|this (?:really )?help(?:s|ed))\b",
    ),
    "whats_next": _rx(
        r"\bwhat(?:'s| is| comes)? next\b|\bnow what\b|\bwhat now\b|\bthen what\b|\bwhat do i do (?:now|next)\b",
        r"\bwhat do i (?:actually )?do(?: now| next| this week)?\??\s*$|\bso what do i do\b|\bwhat should i (?:do|focus on|work on|tackle) (?:now|next)\b|\bnext step\b|\bwhere do i go from here\b|\bwhat(?:'s| is) the next\b|\band after that\b",
    ),
    "objection": _rx(
        r"\bi (?:really |just )?(?:don'?t|do not) want to\b|\b(?:the )?data(?:'s| is) (?:just )?noisy\b|\bjust noise\b|\bnot ready to admit\b",
        r"\bi (?:can'?t|cannot|couldn'?t)\b|\bcan'?t (?:just|really)\b|\bi don'?t think i (?:can|could|should)\b",
        r"\b(?:too|very|feels?|sounds?|seems?) (?:risky|scary|political|aggressive|much\b(?! ideas| options| choices))\b|\bnot (?:realistic|possible|an option|feasible)\b|\bisn'?t (?:realistic|possible|an option|feasible)\b",
        r"\b(?:no|don'?t have (?:the )?|not enough) (?:time|bandwidth|capacity)\b|\bwon'?t (?:work|fly)\b|\bwould never\b|\bnot allowed\b",
        r"\bi'?m (?:scared|afraid|nervous|worried|not comfortable)\b|\bwhat if (?:he|she|they|my \w+) says? no\b",
        r"\b(?:over|above) (?:my|his|her|their) (?:manager'?s? |boss'?s? )?head\b|\bdoesn'?t work (?:here|like that)\b",
        r"\b(?:disagrees?|doesn'?t agree|don'?t agree|pushed back|pushes back)\b|\bthat'?s not how\b|\bbut (?:my|the) (?:manager|boss|lead|team)\b",
        r"\bi already \w+\b[^.!?]{0,80}\b(?:but|doesn'?t|didn'?t|still|just)\b|\byou keep saying\b|\bi know you said\b",
        # reluctance said as a feeling or a preference: "feels like handing them a reason to cut me", "I'd rather move on quietly"
        r"\bfeels? like (?:handing|giving|admitting|shooting|career suicide|a trap)\b|\bi'?d rather (?:just )?(?:not|keep|move on|stay|wait|skip|let)\b",
        r"\bi don'?t see why i (?:should|have to|need to)\b|\bwhy should i (?:have to)?\b|\bshouldn'?t (?:the|my) (?:work|results?) speak for\b",
    ),
    "progress": _rx(
        r"\bi (?:did|have done|'ve done|already did|already|just did|finished|followed|went ahead|took your advice|sent|talked to|asked|spoke to|wrote|pitched|built)\b",
        r"^\W*(?:ok(?:ay)?[,!. ]+)?(?:done|did (?:that|it)|update|so,? update|good news|news)\b",
        r"\b(?:she|he|they|my (?:manager|boss|lead|director|skip)) said yes\b|\bfast[- ]forward\b|\bit'?s been (?:a few|a couple of|\w+|\d+) (?:weeks|months)\b",
        r"\bsince (?:then|we last|last time)\b|\bnow i(?:'ve| have)\b|\bi now have\b",
        r"^\W*(?:ok(?:ay)?[,!. ]+)?(?:talked|drafted|broke|figured|started|pitched|picked|blocked|wrote|built|sent|did|finished|moved|cut)\b",
        r"\b(?:figured out|half done|made progress|drafted|broke it (?:down|into)|milestones|talked to all|got (?:it|them|the \w+) (?:working|running))\b",
    ),
    "after_that": _rx(r"\b(?:and )?after that\b|\band then\b|\bthen what\b|\bwhat comes after\b"),
}

_KEY_NOUNS = (
    r"team|project|service|system|tool|platform|api|migration|pipeline|app|library|framework|dashboard|feature|"
    r"launch|product|codebase|stack|database|cluster|infra|infrastructure|rewrite|redesign|initiative|org|"
    r"proposal|prototype|pilot|sdk|backend|frontend|monolith|queue|cache|portal|integration|tooling|workflow|process"
)
KEY_PHRASE = re.compile(
    rf"\b(?:the|our|my|their)\s+((?:[\w\-/']+\s+){{1,3}}?(?:{_KEY_NOUNS})s?)\b",
    _I,
)
_GENERIC_MODIFIERS = {
    "new", "whole", "same", "current", "own", "entire", "other", "big", "bigger", "small", "first", "last", "next",
    "main", "old", "previous", "one", "this", "that", "a", "an", "every", "only", "real", "actual", "latest",
    "core", "dev", "product", "engineering", "my", "our", "the", "of", "on", "in", "to", "and", "for", "with",
}


_NOT_MODIFIERS = frozenset("""my our the their his her your a an is was are were be been has have had got get gets
approved said says asked told wants want need needs and or but to of in on at for with from by about into
before after during without stuff things thing something everything
who whose which that what where when guy guys person people someone somebody everyone nobody""".split())


COMPOUND_GOES_ON = re.compile(r"\s+(?:leads?|members?|managers?|owners?|leaders?|heads?)\b", _I)
# The clause is about someone else's work, the thing the mentee wants gone, or one they want to join.
NOT_THEIRS = re.compile(r"^(?!.*\b(?:i|we)\b).*\b(?:he|she|they|someone|somebody|a (?:guy|colleague|coworker|teammate|peer)|"
                        r"my (?:colleague|coworker|teammate|peer)|(?:a|the) \w+ in my (?:cohort|team))\b"
                        r"|\b(?:replace|replacing|deprecate|deprecating|kill|killing|get rid of|migrate off|move off|sunset|retire)\s*$"
                        # a project they want onto is not theirs yet: a streak "starting with the payments rewrite" he isn't on
                        r"|\b(?:want|wanna|hoping|hope|like|trying|try|asked|ask) to (?:get (?:on|onto|put on)|join|be (?:on|put on)|move (?:on)?to)\s*$", _I)


# A phrase inside a list of several ("…: the interview process, the onboarding curriculum, manager training").
LIST_ITEM_AFTER = re.compile(r"\s*,\s*(?:the |our |my |an? )?[\w'-]+(?:\s[\w'-]+){0,3}\s*,", _I)
LIST_ITEM_BEFORE = re.compile(r",\s*(?:the |our |my |an? )?[\w'-]+(?:\s[\w'-]+){0,3}\s*,\s*$", _I)


def _clause_before(text: str, start: int) -> str:
    return re.split(r"[.!?;,:]|\s(?:and|but|so)\s", text[:start])[-1]


def key_phrases(text: str) -> list[str]:
    """The mentee's own names for what they work on: "the payments migration", "our deploy pipeline"."""
    found: list[str] = []
    for match in KEY_PHRASE.finditer(text):
        words = match.group(1).split()
        modifiers = [w.lower().strip(".,'") for w in words[:-1]]
        if not modifiers or all(w in _GENERIC_MODIFIERS for w in modifiers):
            continue
        if any(w in _NOT_MODIFIERS for w in modifiers):  # "my director approved my proposal" is a clause
            continue
        if words[-2].lower() in ("to", "on", "in", "for", "of", "and", "with", "at"):
            continue
        if any(w.strip("~").isdigit() for w in modifiers) or COMPOUND_GOES_ON.match(text, match.end()):
            continue  # "~30 teams", "the 30 team leads": a count or a longer name, not a thing of theirs
        if NOT_THEIRS.search(_clause_before(text, match.start())):
            continue  # "a guy in my cohort is rewriting the logging library", "replace our job queue"
        if LIST_ITEM_AFTER.match(text, match.end()) or LIST_ITEM_BEFORE.search(text[:match.start()]):
            continue  # "the problem is enormous: the interview process, the curriculum, …": one of many, not their thing
        phrase = " ".join(match.group(0).split()).rstrip(".,;:!?")
        determiner, rest = phrase.split(" ", 1)
        # Speak to the mentee about *their* thing: "my X" becomes "your X".
        determiner = {"my": "your", "our": "your"}.get(determiner.lower(), determiner.lower())
        phrase = f"{determiner} {rest}"
        if phrase not in found:
            found.append(phrase)
    return found[:3]


@dataclass
class Reading:
    move: str
    facts: dict[str, str] = field(default_factory=dict)  # fact -> the words that told us
    phrases: list[str] = field(default_factory=list)
    personal: bool = True
    denied: list[str] = field(default_factory=list)  # facts the message says we had wrong


_ONLY_NEGATION = re.compile(r"(?:\w+n['’]t|\bnot|\bnever|\bno longer|\bdoesnt|\bdont)\W+(?:\w+\W+){0,5}$", _I)


def _negated(text: str, start: int, wish_counts: bool = False) -> bool:
    """A negation (or, for states, a wish: "I want to be trusted") just before a match."""
    pattern = _ONLY_NEGATION if wish_counts else _NEGATION
    window = text[max(0, start - 40):start]
    breaks = list(_NEGATION_ENDS.finditer(window))  # "never second-guesses my calls, and I'm the one they page"
    return bool(pattern.search(window[breaks[-1].end():] if breaks else window))


_NEGATION_ENDS = re.compile(r"[,;:]\s*|[.!?]\s+|\s(?:and|but|so)\s|\s[—–-]+\s", _I)  # a sentence end too: "no extra money needed. She said yes!"; a dash: "I never worry about – her planning is always in on time"
# Not checking someone's work is trust: "my manager never second-guesses my calls", "doesn't even check my scripts".
TRUSTED_BY_NOT_CHECKING = re.compile(
    r"\b(?:doesn'?t|doesnt|does not|no longer|never) (?:even |really )?(?:check|review|read)s? (?:it |them |anything )?(?:at all|any ?more)\b|"
    r"\b(?:never|doesn'?t|doesnt|don'?t|dont|no longer|stopped|stop|won'?t) (?:even |really )?(?:second[- ]guess\w*|double[- ]check\w*|"
    r"check(?:s|ing)?|review(?:s|ing)?|question(?:s|ing)?)\s+(?:my|me)\b(?! (?:\w+ )?(?:before|until)\b)"
    # "I have not sent the partner a draft in a month, and she hasn't asked"; "forwarded me the offer with just 'handle this'"
    r"|\b(?:hasn'?t|has not|haven'?t|stopped|no longer) (?:even )?(?:asked|asking) (?:to see|for) (?:a |my |the |any )?(?:drafts?|reviews?|"
    r"updates?|sign-?offs?)\b|\b(?:she|he|they)\s+(?:hasn'?t|has not|didn'?t|did not)\s+(?:even\s+)?asked\b(?=\W*(?:$|[.;]))"
    r"|\bwith (?:just|only) ['\u2018\u201c\"](?:handle|take care of|deal with|run with|your call)\b"
    r"|\basked (?:me )?(?:which|what|whether|who|how)\b[^.!?]{0,40}\bi (?:thought|think|recommend|would)\b|\basked (?:for )?my (?:opinion|view|take|recommendation)\b", _I)


OWNED_FAILURE = re.compile(r"\b(?:wrote|presented|shared|published) (?:an? |the |her |his |my |our )?(?:honest |blameless )?"
                           r"(?:post-?mortem|retro(?:spective)?|write-?up)\b"
                           # "Talked to EM, owned that the docs-only thing flopped. He was cool about it…"
                           r"|\b(?:owned|owned up to|admitted|told (?:him|her|them|my \w+)) (?:that )?(?:the |my |our )?[\w -]{0,30}"
                           r"(?:flopped|failed|didn'?t work|missed)\b", _I)
SOMEONE_ELSES_START = re.compile(r"\b(?:pilot|class|trial|project|program(?:me)?|launch|roll-?out|course|study|they|temps?|workers?|"
                                 r"hires?|he|she|interns)\b", _I)
FIRST_PERSON_WORD = re.compile(r"\b(?:i|i'?m|im|my|me)\b", _I)
ASKED_NOT_TOLD = {"trusted", "idea_approved", "shipped", "has_track_record"}
FUTURE_QUESTION = re.compile(r"(?:\w+\W+){0,3}?(?:how long|when will|when do|will|would|could|how soon|until when)\b", _I)
# A purpose clause before a fact's words makes it a goal: "what should I focus on so the chef learns they can rely on me?"
PURPOSE = re.compile(r"\bso (?:that )?(?:[\w']+ ){0,4}(?:learns?|knows?|sees?|realis\w*|realiz\w*|will|would|could)\b[^.!?]*$"
                     r"|\bin order (?:for|that|to)\b[^.!?]*$|\b(?:want|need|hope|trying|try) (?:\w+ ){0,3}to (?:make|get|show|prove)\b[^.!?]*$", _I)
CLIENTS_ASK = re.compile(r"\b(?:clients?|customers?|users?|patients?|guests?|accounts?)\b[^.!?]{0,20}\bask(?:s|ed)? for (?:me|her|him|them)\b", _I)
# Facts said through a negation, which the negation check would otherwise read as denied.
SAID_THROUGH_A_NEGATION = {
    "trusted": TRUSTED_BY_NOT_CHECKING,
    # a side project that took off and isn't their job yet: "it's not my actual job"
    "wants_scope": re.compile(r"\b(?:not|isn'?t) (?:really |officially )?(?:my|part of my) (?:actual|real|day|official) job\b"
                              r"(?!\s+(?:to|description)\b)", _I),
}


# "I'm NOT a manager": the mentee correcting a manager reading of an earlier message.
ABOUT_SOMEONE = re.compile(r"\b(?:he|she|him|her|his|someone|somebody|one of (?:them|my \w+)|"
                           r"(?:my|the) team (?:doesn'?t|don'?t|won'?t|isn'?t|aren'?t|keeps?|needs?|is|are)|"
                           r"they (?:don'?t|won'?t|aren'?t|keep|need|never|always|are|seem))\b", _I)
NOT_A_MANAGER = re.compile(r"\bi(?:'m|’m| am) not (?:a |an |the |anyone'?s )?(?:\w+ )?(?:manager|team lead|people lead)\b"
                           r"|(?:^|[.!?,]\s*)not (?:a )?manager\b"
                           r"|\bi (?:don'?t|do not) (?:manage|have) (?:anyone|any(?:one)? reports|direct reports|a team)\b"
                           r"|\b(?:nobody|no one) reports to me\b|\bi have no (?:people|one|direct reports|reports)\b"
                           # an apprentice's, intern's or trainee's "my journeyman" / "my mentor" is their boss
                           r"|\bi(?:'m|’m| am) (?:a |an |the )?(?:\w+ )?(?:year )?(?:apprentice|intern|trainee)\b",
                           re.IGNORECASE)


# The mentee telling us a fact we hold is wrong ("it didn't fail", "nothing is approved", "I'm not
# a manager"); a negated fact pattern ("she doesn't trust me", "we haven't shipped") says so too.
DENIALS = {
    "failed": _rx(r"\b(?:it |that )?(?:didn'?t|didnt|did not|hasn'?t|never) fail(?:ed)?\b|\bnot (?:failing|a failure|a flop)\b",
                  r"\b(?:nobody|no one) thinks it'?s failing\b|\bit went (?:great|really well|well)\b"),
    "shipped": _rx(r"\bnothing(?:'s| is)? (?:out(?: there)?|live|built|shipped)\b|\bhaven'?t (?:built|shipped|launched|released) (?:anything|it)\b"),
    "idea_approved": _rx(r"\bnothing(?:'s| is| has been| was)? (?:\w+ )?(?:ap?proved|signed off)\b|\bnot (?:yet )?ap?proved\b"),
    "manages_others": NOT_A_MANAGER,
}


def find_facts(text: str) -> dict[str, str]:
    return read_facts(text)[0]


def find_denials(text: str) -> set[str]:
    return read_facts(text)[1]


def read_facts(text: str) -> tuple[dict[str, str], set[str]]:
    """(the facts the message states, each with the words that told us; the facts it denies)."""
    facts: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    said_wrong = {key for key, pattern in DENIALS.items() if pattern.search(text)}
    denied = set(said_wrong)
    for key, pattern in FACT_PATTERNS.items():
        for match in pattern.finditer(text):
            if key in NEGATABLE:
                # a plain negation denies the fact; a wish in front ("I want to be trusted") only keeps it unsaid
                negation = bool(_NEGATED_INSIDE.search(match.group(0))) or _negated(text, match.start(), wish_counts=True)
                if negation:
                    denied.add(key)
                if negation or key not in NEGATION_ONLY and _negated(text, match.start()):
                    continue
            facts[key] = _clause(text, match.start(), match.end())
            spans[key] = match.span()
            break
    for key, pattern in SAID_THROUGH_A_NEGATION.items():  # "it's not my actual job": the negation is the fact
        match = pattern.search(text) if key not in facts else None
        if match:
            facts[key], spans[key] = _clause(text, match.start(), match.end()), match.span()
    # "clients ask for me by name": the people they serve count on them, a record; the trust the
    # wheel spends is their manager's, skip-level's and peers'.
    if "trusted" in facts and CLIENTS_ASK.search(facts["trusted"]):
        spans.setdefault("has_track_record", spans["trusted"])
        facts.setdefault("has_track_record", facts.pop("trusted"))
    # "first week they are very slow", "one pilot class, 4 weeks in": someone else's start, or a project's
    if "new_in_role" in facts and SOMEONE_ELSES_START.search(facts["new_in_role"]) and not FIRST_PERSON_WORD.search(facts["new_in_role"]):
        del facts["new_in_role"]
    # "we rolled it back; she wrote an honest post-mortem… now she wants to own the org-wide problem":
    # the wrong bet was owned openly and closed, and what's new is the bigger ask
    if "failed" in facts and facts.keys() & {"wants_scope", "trusted"} and OWNED_FAILURE.search(text):
        del facts["failed"]
    # "How long till they trust me again?": asked about, not reported
    for key in ASKED_NOT_TOLD & set(facts) & set(spans):
        start = _sentence_start(text, spans[key][0], ".!?\n")
        end = min([i for i in (text.find(mark, spans[key][1]) for mark in "?.!") if i >= 0] or [len(text)])
        if text[end:end + 1] == "?" and FUTURE_QUESTION.match(text[start:spans[key][0]].strip() + " "):
            del facts[key]
        elif PURPOSE.search(text[start:spans[key][0]]):  # "…so the sous chef learns they can rely on me": a goal
            del facts[key]
    # "I lead a small team… should I ship phase 1 now?": a lead asking about their own work, not a
    # manager asking about someone; only a person they talk about makes it the manager's view
    if "manages_others" in facts and not ABOUT_SOMEONE.search(text) and all(
            LEADS_A_TEAM.match(text, m.start()) for m in FACT_PATTERNS["manages_others"].finditer(text)):
        del facts["manages_others"]
    # "I shipped everything on time" is a track record, not a launch outcome.
    if "shipped" in facts and "has_track_record" in facts and _overlaps(spans["shipped"], spans["has_track_record"]):
        del facts["shipped"]
    # "I failed to hit my dates" is slipping, not a failed bet.
    if "failed" in facts and "slipping" in facts and _overlaps(spans["failed"], spans["slipping"], slack=20):
        del facts["failed"]
    # "all my PMs done on time… but then had a callback tuesday": the record just broke, it isn't one yet
    if "slipping" in facts and "has_track_record" in facts and spans["slipping"][0] > spans["has_track_record"][1] \
            and re.search(r"\b(?:but|then|except|however|until)\b", text[spans["has_track_record"][1]:spans["slipping"][0]], re.I):
        del facts["has_track_record"]
    for key in HYPOTHETICAL_FACTS & set(facts):  # "if I overrule them, a wrong call costs a year" happened to nobody
        if HYPOTHETICAL.search(text[_sentence_start(text, spans[key][0], ".?!"):spans[key][0]]):
            del facts[key]
    if "shipped" in facts and (ROUTINE_DELIVERY.search(facts["shipped"]) or PARTIAL_RELEASE.search(facts["shipped"])):
        del facts["shipped"]  # "I shipped the ticket" is one more delivery, not a launch to judge
    if "idea_approved" in facts and DEFERRED.search(text[spans["idea_approved"][0]:spans["idea_approved"][0] + 160]):
        del facts["idea_approved"]  # "he liked it but said to think about it more" is a not-yet
        facts.setdefault("manager_said_no", _clause(text, *spans["idea_approved"]))
    resolve_conflicts(facts, spans)
    for key in said_wrong:  # "I am not manager… my manager checks my reports": the denial is what they meant
        facts.pop(key, None)
    return facts, denied - set(facts)


# A reply that opens by pushing back on the advice, whatever facts it goes on to give.
DISAGREEING = re.compile(
    r"^\W*(?:(?:but|hmm+|wait|honestly|no|nah|well)\W+)*(?:i (?:really )?(?:don'?t|do not) (?:agree|think (?:i|that|we) should|see how)|"
    r"i'?m not (?:sure|convinced) (?:that|about|i should)|i disagree|you keep saying|that won'?t work|isn'?t (?:that|this) (?:too|a bit)|"
    r"i'?m not (?:avoiding|ignoring|dodging))", re.IGNORECASE)
HYPOTHETICAL_FACTS = {"failed", "shipped", "idea_approved", "caused_incident"}
# ... or still a plan or a question: "then milestones: shadow-run, cut over…", "so do I roll back?"
HYPOTHETICAL = re.compile(r"\b(?:if|what if|would|might|in case|suppose|imagine|should (?:i|we)|do (?:i|we)|whether|"
                          r"going to|gonna|plan(?:s|ned)?|milestones?|will|wanna|want to)\b|'ll\b", re.IGNORECASE)
ROUTINE_DELIVERY = re.compile(r"\b(?:shipped|deployed|released|closed|merged) (?:the|my|a|that|this|both|all (?:my|the)|\w+ of my) "
                              r"(?:[\w-]+ ){0,3}(?:ticket|task|story|bug ?fix|fix|pr|pull request|change)s?\b", re.IGNORECASE)
# Live, but only as a rehearsal: the thing doesn't exist for its users yet.
PARTIAL_RELEASE = re.compile(r"\bshadow[- ]?(?:run|mode|traffic|launch)|\bin staging\b|\bdark[- ]launch",
                             re.IGNORECASE)
DEFERRED = re.compile(r"\bbut\b[^.!?]{0,60}\b(?:think about it|not (?:yet|now|this (?:quarter|half|year))|later|next (?:quarter|half|year)|"
                      r"maybe|come back|revisit|circle back)\b", re.IGNORECASE)


def _sentence_start(text: str, position: int, marks: str) -> int:
    """Where the sentence holding `position` begins (just after the last of `marks` before it)."""
    return max(text.rfind(mark, 0, position) for mark in marks) + 1


ASK_WORKED = re.compile(r"\b(?:that|it|this) (?:actually |really |kind of |kinda )?worked\b", re.IGNORECASE)


def resolve_conflicts(facts: dict[str, str], spans: dict[str, tuple[int, int]]) -> None:
    """Drop facts another fact in the same message overrides (in place)."""
    # "I pitched it and she said yes": the pitch is over, its answer is the fact.
    if "pitching" in facts and ({"idea_approved", "manager_said_no"} & set(facts)):
        del facts["pitching"]
    # "ok so that actually worked, they're letting me do it as a 3 month trial": the ask worked; nothing launched yet
    if "shipped" in facts and "idea_approved" in facts and spans["idea_approved"][0] > spans["shipped"][0] \
            and ASK_WORKED.search(facts["shipped"]):
        del facts["shipped"]
    # A no to the bigger ask isn't an approval ("she didn't agree" is caught by negation).
    if "idea_approved" in facts and "manager_said_no" in facts:
        later_no = spans["manager_said_no"][0] > spans["idea_approved"][0]
        del facts["idea_approved" if later_no else "manager_said_no"]
    # Designing is what comes after an approval; stuck in analysis is designing that never ends.
    if "stuck_in_analysis" in facts and "designing" in facts:
        del facts["designing"]
    if "shipped" in facts and "failed" in facts:  # "it launched but nobody uses it"
        del facts["shipped"]
    # "she loved it, gave me budget… last week the whole thing got cancelled": the ending is the fact.
    if "idea_approved" in facts and "failed" in facts and spans["failed"][0] > spans["idea_approved"][0]:
        del facts["idea_approved"]


def _overlaps(a: tuple[int, int], b: tuple[int, int], slack: int = 0) -> bool:
    return a[0] < b[1] + slack and b[0] < a[1] + slack


_JOINING_WORD = r"(?:but|and|so|because|though|although|while|which|since)"
_CLAUSE_BREAK = re.compile(rf",\s*(?:{_JOINING_WORD}\s+)?|\s+{_JOINING_WORD}\s+|\s+[—–-]\s+|:\s+", re.IGNORECASE)


CLAUSE_STOP = re.compile(r"[!?;\n]|\.(?!\d)")


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a match, as the mentee wrote it (used as the fact's evidence)."""
    stops = [m.start() for m in CLAUSE_STOP.finditer(text)]  # not the point inside "4.2"
    left = max([i for i in stops if i < start] or [-1])
    right = min([i for i in stops if i >= end] or [len(text)])
    clause = text[left + 1:right].strip(" ,")
    words = clause.split()
    if len(words) > 16:  # long clause: the part of it, between commas or joining words, that told us
        inner = list(_CLAUSE_BREAK.finditer(text, left + 1, right))
        lo = max([m.end() for m in inner if m.end() <= start] or [left + 1])
        hi = min([m.start() for m in inner if m.start() >= end] or [right])
        part = text[lo:hi].strip(" ,")
        if 3 <= len(part.split()) <= 16:
            return part[:160]
        # no such part: the words around what told us
        before = len(text[left + 1:start].split())
        inside = len(text[start:end].split())
        lo = max(0, before - 4)
        clause = " ".join(words[lo:lo + max(12, inside + 8)]).strip(" ,")
    return clause[:160]


class Understanding:
    """Reads messages: patterns for facts and moves; the nearest move examples
    (`meaning.MeaningReader`) for a follow-up the patterns can't place."""

    def __init__(self, embedder, cache_dir: Path | None = None) -> None:
        from .meaning import MeaningReader

        self.meaning = MeaningReader(embedder, cache_dir)

    def read(self, text: str, *, vector: np.ndarray | None = None, has_history: bool = False,
             pending_clarification: bool = False, factual: bool = False) -> Reading:
        facts, denied = ({}, set()) if factual else read_facts(text)  # "when did the author get promoted?" is not about the mentee
        move = classify_move(text, facts, has_history=has_history, pending_clarification=pending_clarification,
                             factual=factual)
        if move == "new_situation" and has_history:
            # Mid-conversation, a message rarely starts over: ask the examples what it does
            # (with facts, "new_situation" lets the facts place the mentee, so only a clear
            # objection or outcome overrides it).
            vote = self.meaning.read_move(vector, relaxed=not facts)
            if vote is not None and vote.label in (FOLLOW_UP_MOVES if not facts else OVERRIDING_MOVES):
                move = vote.label
        return Reading(move=move, facts=facts, phrases=key_phrases(text), personal=not factual, denied=sorted(denied))


# A how-to question at the end of a message that also says what they can't do: asking for a way, not pushing back.
ASKS_HOW = re.compile(r"\bhow (?:do |can |should |could |would )?(?:i|we) (?:\w+ ){0,6}?\w+\s*\?\s*$", _I)
# The mentee asking us to say our last answer again, more plainly.
EXPLAIN = re.compile(r"\b(?:can|could) you (?:explain|clarify|rephrase|unpack)\b|\bwhat (?:do|did) you mean\b|\bexplain (?:what|that|this)\b"
                     r"|\b(?:i'?m )?not sure i (?:follow|understand|get it)\b|\bi don'?t (?:follow|understand what you|get what you)\b", _I)
# A closing that ends on thanks after something else ("most of this is common sense, but fine. thanks I guess.").
CLOSING_THANKS = re.compile(r"(?:^|[.!,;]\s*)(?:ok(?:ay)?,?\s+|fine,?\s+|anyway,?\s+)?(?:thanks?|thank you|thx|cheers|obrigad[oa]|gracias|merci|danke)"
                            r"(?:\s+(?:i guess|anyway|though|again|a lot|so much|for (?:this|that|the help|your time)))?"
                            # "Cheers for this, genuinely."
                            r"(?:,?\s+(?:genuinely|really|truly|honestly|seriously|mate|again))?"
                            # "Thank you so much, talk later!": a goodbye after the thanks is still a closing
                            r"(?:\W+(?:talk (?:to you )?(?:later|soon)|bye|see you(?: later| soon)?|ttyl|catch you later|"
                            r"gotta (?:go|run)|have a good (?:one|day|week(?:end)?)))?\W*$", _I)


# Thanks first, then what they'll do ("Thank you, this has been really helpful. I'm going to sit down with
# her Friday.", "Thank you… I go now to prepare the report"): a closing, unless a "but" follows.
THANKS_THEN_PLAN = re.compile(r"^\W*(?:(?:ok(?:ay)?|alright|great|perfect),?\s+)?(?:thanks?|thank you|thx|cheers|appreciate (?:it|this)|"
                              r"obrigad[oa]|gracias|merci|danke)\b(?![^.!?]*\b(?:but|however|though|except)\b)", _I)


def classify_move(text: str, facts: dict[str, str], *, has_history: bool, pending_clarification: bool,
                  factual: bool) -> str:
    words = len(text.split())
    if (MOVE_PATTERNS["thanks"].search(text) and words <= 14 or CLOSING_THANKS.search(text) and words <= 30 and not facts
            or has_history and THANKS_THEN_PLAN.search(text) and words <= 30 and not facts
            and not re.search(r"\b(?:but|however)\b", text, re.I)) and "?" not in text \
            and not re.search(r"\b(?:thanks?|thank you|cheers)\W+but\b", text, re.I):  # "thanks, but…" is pushback
        return "thanks"
    if factual:
        return "factual"
    if has_history and EXPLAIN.search(text) and not facts and words <= 25:
        return "explain"
    if pending_clarification and words <= 40 and not (MOVE_PATTERNS["after_that"].search(text) and not facts and words <= 6):
        return "clarify_answer"  # "ok and then?" doesn't answer the question we asked
    if not has_history:
        return "new_situation"
    if DISAGREEING.match(text):  # "I don't agree that I should kill it. People love it once…": pushback first
        return "objection"
    if "failed" in facts:
        return "outcome_failure"
    if "shipped" in facts:
        return "outcome_success"
    asks_how = bool(ASKS_HOW.search(text))
    if (MOVE_PATTERNS["objection"].search(text) and not ({"idea_approved", "trusted", "shipped"} & set(facts))
            and not asks_how):  # "I am not engineer, I cannot tell them what to do. How I fix this?": a question
        return "objection"
    if "manager_said_no" in facts:
        return "objection"
    # ... but a question about the same ground is not news of progress: "I cannot make more results, I am already
    # always on time. How I make trust if the problem is language?"
    if MOVE_PATTERNS["progress"].search(text) or not asks_how and {"idea_approved", "trusted", "has_track_record",
                                                                    "stuck_in_analysis"} & set(facts):
        return "progress"
    if MOVE_PATTERNS["after_that"].search(text):
        return "after_that"
    if MOVE_PATTERNS["whats_next"].search(text):
        return "whats_next"
    return "new_situation"
