"""One translation table for reports and chart labels (English, Russian) and locale number formats.

``tr(key, lang)`` looks a phrase up; ``label(metric, lang)`` and ``unit(unit, lang)`` translate
the metric names and units of ``model.sim.metrics``; ``number(x, lang)`` writes a number the way
readers of that language expect (``12,345.6`` in English, ``12 345,6`` in Russian).
"""

from __future__ import annotations

import math

LANGS = ("en", "ru")

POINT_UNITS = ("fraction", "per year")
"""Units shown to people as percentages (levels) and percentage points (differences)."""

PHRASES: dict[str, dict[str, str]] = {
    "report_title": {"en": "district-sim report", "ru": "Отчёт district-sim"},
    "brief": {"en": "In brief", "ru": "Коротко"},
    "brief_table": {
        "en": "Per firm and per year, with the sector's totals (averages over the horizon)",
        "ru": "На фирму и в год, рядом итоги по отрасли (средние за горизонт)",
    },
    "brief_columns": {
        "en": "Outcome|Figure|Alone|{regime}|Difference|95% interval|Change",
        "ru": "Показатель|Что это|Отдельно|{regime}|Разница|95% интервал|Изменение",
    },
    "horizon_years": {"en": "{years} ({weeks})", "ru": "{years} ({weeks})"},
    "horizon_weeks": {"en": "{weeks} ({years} years)", "ru": "{weeks} ({years} года)"},
    "in_district": {"en": "in the district", "ru": "в кластере"},
    "in_regime": {"en": "under '{regime}'", "ru": "в режиме «{regime}»"},
    "of_standalone": {"en": ", {pct}% of their standalone profit", "ru": ", {pct}% их прибыли без кластера"},
    "verdict_up": {
        "en": "Over {horizon}, firms {where} earn more than the same firms standing alone: {value} thousand "
        "roubles a year more profit per firm (95% interval {low} to {high}){share}.",
        "ru": "За {horizon} фирмы {where} зарабатывают больше, чем те же фирмы по отдельности: на {value} тыс. "
        "руб. прибыли в год на фирму больше (95% интервал от {low} до {high}){share}.",
    },
    "verdict_down": {
        "en": "Over {horizon}, firms {where} earn less than the same firms standing alone: {value} thousand "
        "roubles a year less profit per firm (95% interval {low} to {high}){share}.",
        "ru": "За {horizon} фирмы {where} зарабатывают меньше, чем те же фирмы по отдельности: на {value} тыс. "
        "руб. прибыли в год на фирму меньше (95% интервал от {low} до {high}){share}.",
    },
    "verdict_unclear": {
        "en": "Over {horizon}, these runs cannot tell whether firms {where} earn more or less than standing "
        "alone: profit per firm differs by {value} thousand roubles a year, and the 95% interval ({low} to "
        "{high}) includes zero.",
        "ru": "За {horizon} эти расчёты не позволяют сказать, зарабатывают ли фирмы {where} больше или меньше, "
        "чем по отдельности: прибыль на фирму различается на {value} тыс. руб. в год, а 95% интервал (от "
        "{low} до {high}) включает ноль.",
    },
    "span": {"en": "95% interval {low} to {high}", "ru": "95% интервал от {low} до {high}"},
    "change_up": {"en": "gains {value} ({span})", "ru": "выигрывает {value} ({span})"},
    "change_down": {"en": "loses {value} ({span})", "ru": "теряет {value} ({span})"},
    "change_unclear": {"en": "shows no clear change ({span})", "ru": "не показывает ясного изменения ({span})"},
    "rise_up": {"en": "rises by {value} ({span})", "ru": "растёт на {value} ({span})"},
    "rise_down": {"en": "falls by {value} ({span})", "ru": "снижается на {value} ({span})"},
    "rise_unclear": {"en": "shows no clear change ({span})", "ru": "не показывает ясного изменения ({span})"},
    "for_whom": {
        "en": "For whom, in thousand roubles a year per firm: the smaller half of the firms {small}; the "
        "larger half {large}.",
        "ru": "Для кого, в тыс. руб. в год на фирму: меньшая половина фирм {small}; большая половина {large}.",
    },
    "jobs_sector": {
        "en": "Jobs: employment in the sector's firms {change}.",
        "ru": "Рабочие места: занятость в фирмах отрасли {change}.",
    },
    "jobs_adjacent": {
        "en": "The number of jobs at local suppliers {change}; this figure mostly follows the assumed share of "
        "purchases made locally (adjacent.member_local_share), not a finding of the model.",
        "ru": "Число рабочих мест у местных поставщиков {change}; эта цифра в основном следует из допущения о доле "
        "местных закупок (adjacent.member_local_share), а не из расчёта модели.",
    },
    "path_up_stays": {
        "en": "The gain is clear (95% interval above zero) from year {year} and stays so to year {years}.",
        "ru": "Выигрыш ясен (95% интервал выше нуля) с {year}-го года и остаётся таким до {years}-го года.",
    },
    "path_up_wavers": {
        "en": "The gain is first clear (95% interval above zero) in year {year}, but not in every later year "
        "up to year {years}.",
        "ru": "Выигрыш впервые ясен (95% интервал выше нуля) в {year}-м году, но не во все последующие годы "
        "до {years}-го.",
    },
    "path_down_stays": {
        "en": "The loss is clear (95% interval below zero) from year {year} and stays so to year {years}.",
        "ru": "Потеря ясна (95% интервал ниже нуля) с {year}-го года и остаётся такой до {years}-го года.",
    },
    "path_down_wavers": {
        "en": "The loss is first clear (95% interval below zero) in year {year}, but not in every later year "
        "up to year {years}.",
        "ru": "Потеря впервые ясна (95% интервал ниже нуля) в {year}-м году, но не во все последующие годы "
        "до {years}-го.",
    },
    "path_up_last": {
        "en": "The gain is clear (95% interval above zero) only in year {year}, the last of the horizon.",
        "ru": "Выигрыш ясен (95% интервал выше нуля) только в {year}-м году, последнем году горизонта.",
    },
    "path_down_last": {
        "en": "The loss is clear (95% interval below zero) only in year {year}, the last of the horizon.",
        "ru": "Потеря ясна (95% интервал ниже нуля) только в {year}-м году, последнем году горизонта.",
    },
    "path_before": {
        "en": " Before that, the effect is clearly the other way in year {years_list}.",
        "ru": " До этого, в году {years_list}, эффект ясно противоположный.",
    },
    "path_never": {
        "en": "In none of the {years} years is the effect on profit per firm clear: every yearly 95% interval "
        "includes zero.",
        "ru": "Ни в одном из {years} лет эффект на прибыль на фирму не ясен: каждый годовой 95% интервал "
        "включает ноль.",
    },
    "path_table": {
        "en": "Profit per firm year by year: difference, thousand roubles a year",
        "ru": "Прибыль на фирму по годам: разница, тыс. руб. в год",
    },
    "path_columns": {"en": "Year|Weeks|Difference|95% interval", "ru": "Год|Недель|Разница|95% интервал"},
    "drivers": {
        "en": "What drives it: the chart 'mechanisms' below shows what each mechanism moved; to split the "
        "effect among the mechanisms run python simulate.py attribute {scenario}; to see which assumptions "
        "would overturn it run python simulate.py sensitivity {scenario} and python simulate.py sweep "
        "{scenario} --vary PARAMETER=LOW:HIGH:STEPS.",
        "ru": "Что за этим стоит: график «mechanisms» ниже показывает, что изменил каждый механизм; разделить "
        "эффект между механизмами: python simulate.py attribute {scenario}; какие допущения могут его "
        "перевернуть: python simulate.py sensitivity {scenario} и python simulate.py sweep {scenario} "
        "--vary ПАРАМЕТР=ОТ:ДО:ШАГОВ.",
    },
    "points": {"en": "points", "ru": "п. п."},
    "beyond_range": {"en": "beyond the range", "ru": "за пределами диапазона"},
    "be_head": {
        "en": "The effect on {outcome} ({regime} minus standalone) along {path}: {parts}.",
        "ru": "Эффект на {outcome} ({regime} минус отдельные фирмы) по {path}: {parts}.",
    },
    "be_above": {"en": "above zero with 95% confidence at {where}", "ru": "выше нуля с 95% уверенностью при {where}"},
    "be_below": {"en": "below zero with 95% confidence at {where}", "ru": "ниже нуля с 95% уверенностью при {where}"},
    "be_unclear": {
        "en": "the runs cannot tell (95% interval includes zero) at {where}",
        "ru": "расчёты не позволяют сказать (95% интервал включает ноль) при {where}",
    },
    "be_cross": {
        "en": " Its mean crosses zero at {path} = {value} (95% interval {low} to {high}).",
        "ru": " Его среднее пересекает ноль при {path} = {value} (95% интервал от {low} до {high}).",
    },
    "be_maybe": {
        "en": " Its mean does not cross zero in the range, but where the interval includes zero a break-even "
        "cannot be ruled out.",
        "ru": " Его среднее не пересекает ноль в диапазоне, но там, где интервал включает ноль, безубыточность "
        "исключить нельзя.",
    },
    "be_none": {"en": " No break-even inside the range.", "ru": " Точки безубыточности в диапазоне нет."},
    "pays_said": {
        "en": "The chance it pays ({outcome}): the '{regime}' effect is above zero at {share}% of the {points} "
        "sampled points (95% interval {low}% to {high}%); the point's own 95% interval lies above zero at "
        "{up}% of them and below zero at {down}%.",
        "ru": "Вероятность выгоды ({outcome}): эффект режима «{regime}» выше нуля в {share}% из {points} точек "
        "выборки (95% интервал от {low}% до {high}%); собственный 95% интервал точки выше нуля в {up}% из них "
        "и ниже нуля в {down}%.",
    },
    "pays_morris": {
        "en": " Morris points follow trajectories through the ranges rather than a uniform sample: read this "
        "share as indicative; Sobol (--method sobol) samples the space evenly.",
        "ru": " Точки метода Морриса идут по траекториям, а не равномерной выборкой: эта доля ориентировочна; "
        "метод Соболя (--method sobol) покрывает пространство равномерно.",
    },
    "rank_clear": {
        "en": "What moves the effect on {outcome} most, with its interval away from zero: {names} ({n} of {total} "
        "parameters can be told from no influence; the order of the rest means nothing).",
        "ru": "Что сильнее всего влияет на эффект ({outcome}), с интервалом, не доходящим до нуля: {names} "
        "({n} из {total} параметров отличимы от отсутствия влияния; порядок остальных ничего не значит).",
    },
    "rank_none": {
        "en": "No parameter's influence on the effect on {outcome} can be told from none at this sample size: "
        "every interval reaches zero, so the ranking is within noise (take more trajectories or samples).",
        "ru": "Ни одного параметра, чьё влияние на эффект ({outcome}) отличимо от нуля при этом объёме выборки: "
        "каждый интервал доходит до нуля, так что ранжирование в пределах шума (увеличьте выборку).",
    },
    "attr_total": {
        "en": "The effect on {outcome}, {value} in total ({span}), splits among the mechanisms as follows.",
        "ru": "Эффект на {outcome}, всего {value} ({span}), делится между механизмами так.",
    },
    "attr_up": {"en": "Clearly raise it: {names}.", "ru": "Ясно повышают: {names}."},
    "attr_down": {"en": "Clearly lower it: {names}.", "ru": "Ясно понижают: {names}."},
    "attr_unclear": {
        "en": "Cannot be told from no contribution (interval includes zero): {names}.",
        "ru": "Не отличимы от нулевого вклада (интервал включает ноль): {names}.",
    },
    "job_horizon": {
        "en": "Every point ran over {horizon}, {reps} replications per regime, on common random numbers.",
        "ru": "Каждая точка рассчитана на {horizon}, {reps} повторов на режим, на общих случайных числах.",
    },
    "sweep_table": {
        "en": "Effects at each point ({outcomes}); reading: what the 95% interval allows one to say",
        "ru": "Эффекты в каждой точке ({outcomes}); reading: что позволяет сказать 95% интервал",
    },
    "sample_link": {
        "en": "The paired effect at every sampled point, every outcome: {link}",
        "ru": "Парный эффект в каждой точке выборки по всем показателям: {link}",
    },
    "how_to_read": {"en": "How to read this", "ru": "Как это читать"},
    "study_title": {
        "en": "district-sim regional study: {name}",
        "ru": "Региональное исследование district-sim: {name}",
    },
    "study_run": {"en": "The pilot run", "ru": "Основной расчёт"},
    "study_screen": {"en": "What moves the effect (screening)", "ru": "Что влияет на эффект (скрининг)"},
    "study_sweeps": {
        "en": "Break-even of the parameters that matter most",
        "ru": "Безубыточность по главным параметрам",
    },
    "study_attribute": {"en": "Which mechanisms give the effect", "ru": "Какие механизмы дают эффект"},
    "study_discover": {"en": "Where the district fails to pay", "ru": "Где кластер невыгоден"},
    "study_evidence": {"en": "Validation: the evidence checks", "ru": "Проверка: сверка с эмпирическими данными"},
    "study_evidence_note": {
        "en": "The validation's evidence checks for this pilot at quick size; the full validation is "
        "python simulate.py validate.",
        "ru": "Проверки по эмпирическим данным для этого пилота в быстром объёме; полная проверка: "
        "python simulate.py validate.",
    },
    "study_evidence_columns": {
        "en": "check|expected|simulated [95% interval]|result",
        "ru": "проверка|ожидается|в модели [95% интервал]|итог",
    },
    "study_plan": {"en": "The plan that ran", "ru": "Выполненный план"},
    "study_plan_columns": {"en": "step|what|command|seconds", "ru": "шаг|что|команда|секунд"},
    "study_times": {
        "en": "Estimated before the start: {estimated} s; took {wall} s in all (charts and reports included).",
        "ru": "Оценка до начала: {estimated} с; заняло всего {wall} с (с графиками и отчётами).",
    },
    "box_said": {
        "en": "Where it fails to pay ({outcome}): the '{regime}' effect is at or below zero mainly when {parts}: "
        "{coverage}% of the failures lie in this region (coverage), and {density}% of the points in it fail "
        "(density).",
        "ru": "Где кластер невыгоден ({outcome}): эффект режима «{regime}» не выше нуля в основном когда {parts}: "
        "в этой области {coverage}% всех неудач (охват), и {density}% её точек неудачны (плотность).",
    },
    "box_above": {"en": "{what} is above {low} {unit}", "ru": "{what} выше {low} {unit}"},
    "box_below": {"en": "{what} is below {high} {unit}", "ru": "{what} ниже {high} {unit}"},
    "box_between": {"en": "{what} is between {low} and {high} {unit}", "ru": "{what} от {low} до {high} {unit}"},
    "and": {"en": " and ", "ru": " и "},
    "box_no_failure": {
        "en": "The '{regime}' effect on {outcome} is above zero at every sampled point: no failure to explain.",
        "ru": "Эффект режима «{regime}» ({outcome}) выше нуля во всех точках выборки: объяснять нечего.",
    },
    "box_spread": {
        "en": "PRIM finds no region that restricts any parameter significantly ({outcome}): the failures are "
        "spread over the plausible space, not tied to a few assumptions.",
        "ru": "PRIM не находит области со значимыми ограничениями параметров ({outcome}): неудачи рассеяны по "
        "всему пространству и не связаны с немногими допущениями.",
    },
    "pays_space": {
        "en": "The chance it pays ({outcome}): the '{regime}' effect is above zero over an estimated {share}% of "
        "the plausible space (95% interval {low}% to {high}%, counting the {points} sampled points and the "
        "replication noise at each, by a two-level bootstrap); the point's own 95% interval lies above zero at "
        "{up}% of the points and below zero at {down}%.",
        "ru": "Вероятность выгоды ({outcome}): эффект режима «{regime}» выше нуля примерно на {share}% "
        "правдоподобного пространства (95% интервал от {low}% до {high}%, с учётом {points} точек выборки и шума "
        "повторов в каждой, двухуровневый бутстреп); собственный 95% интервал точки выше нуля в {up}% точек и "
        "ниже нуля в {down}%.",
    },
    "points_link": {
        "en": "Every sampled point with its parameter values, effect and whether it fails: {link}",
        "ru": "Каждая точка выборки со значениями параметров, эффектом и признаком неудачи: {link}",
    },
    "prim_chosen": {"en": "the box reported", "ru": "выбранная область"},
    "prim_res_dim": {"en": "parameters restricted", "ru": "ограниченных параметров"},
    "prim_coverage": {
        "en": "coverage: share of all failures inside the box",
        "ru": "охват: доля всех неудач внутри области",
    },
    "prim_density": {
        "en": "density: share of the box's points that fail",
        "ru": "плотность: доля неудачных точек в области",
    },
    "prim_tradeoff": {
        "en": "Where the district fails to pay ({outcome}): PRIM's choices, from the whole space to small dense boxes",
        "ru": "Где кластер невыгоден ({outcome}): варианты PRIM, от всего пространства до малых плотных областей",
    },
    "pays_point": {"en": "effect above zero", "ru": "эффект выше нуля"},
    "fails_point": {"en": "fails to pay (effect at or below zero)", "ru": "невыгоден (эффект не выше нуля)"},
    "prim_box": {"en": "PRIM box", "ru": "область PRIM"},
    "discover_effect": {"en": "paired effect on {outcome}", "ru": "парный эффект: {outcome}"},
    "discover_points": {
        "en": "Sampled points ({outcome}): where the district pays and where it fails",
        "ru": "Точки выборки ({outcome}): где кластер выгоден и где нет",
    },
    "read_discover": {
        "en": "Discovery samples every uncertain parameter across its plausible range (a Latin hypercube), runs "
        "the district and the same firms alone at each point on common random numbers, and marks a point as a "
        "failure when the district's mean effect there is at or below zero. PRIM then looks for a box (a few "
        "parameter ranges) that holds most failures: coverage is the share of all failures inside the box, "
        "density the share of the box's points that fail. A box that restricts few parameters and has high "
        "coverage and density names the assumptions the decision hangs on. CART (a decision tree) is a second "
        "view. The chance it pays is the share of sampled points where the effect is above zero; its interval "
        "counts both the number of points and the replication noise at each point.",
        "ru": "Поиск сценариев берёт каждый неопределённый параметр по его правдоподобному диапазону (латинский "
        "гиперкуб), в каждой точке рассчитывает кластер и те же фирмы по отдельности на общих случайных числах и "
        "отмечает точку как неудачу, если средний эффект кластера в ней не выше нуля. Затем PRIM ищет область "
        "(несколько диапазонов параметров), где собрано большинство неудач: охват — доля всех неудач внутри "
        "области, плотность — доля неудачных точек в ней. Область с немногими ограниченными параметрами, "
        "большим охватом и плотностью называет допущения, от которых зависит решение. CART (дерево решений) — "
        "второй взгляд. Вероятность выгоды — доля точек выборки с эффектом выше нуля; её интервал учитывает и "
        "число точек, и шум повторов в каждой точке.",
    },
    "read_validation": {
        "en": "The model is run where the right answer is known in advance: analytic limits (risk pooling "
        "by Eppen's formula, Wright's learning curve, a district with every mechanism off equal to the "
        "standalone sector, a gain that never rises with coordination cost) and ranges reported by the "
        "evidence (idle capacity, the return-on-assets premium, entrants' survival). Each row gives the "
        "expected value, the simulated one with its 95% interval, and the rule for passing. An evidence check "
        "passes when the interval lies inside the range; when it only overlaps the range the check is "
        "inconclusive: the runs are too few to say (the full validation, without --quick, runs more).",
        "ru": "Модель запускается там, где правильный ответ известен заранее: аналитические пределы "
        "(объединение рисков по формуле Эппена, кривая обучения Райта, кластер со всеми выключенными "
        "механизмами равен отрасли без кластера, выигрыш не растёт с ростом издержек координации) и "
        "диапазоны из эмпирических данных (простаивающие мощности, премия рентабельности активов, "
        "выживаемость новых фирм). В каждой строке — ожидаемое значение, рассчитанное с 95% интервалом и "
        "правило прохождения. Проверка по данным пройдена, если интервал лежит внутри диапазона; если он "
        "лишь пересекается с диапазоном, проверка не решена: прогонов слишком мало (полная проверка без "
        "--quick считает больше).",
    },
    "read_sweep": {
        "en": "A sweep runs the district and the same firms standing alone at each value of the parameter it "
        "varies, on the same random numbers, and shows the difference (district minus standalone) with its 95% "
        "interval (the band). Where the band lies above zero the district pays at that value; where it lies "
        "below, it loses; where it includes zero these runs cannot tell. The dotted line marks the scenario's "
        "own value; the dashed line, where the mean difference crosses zero (break-even).",
        "ru": "Развёртка рассчитывает кластер и те же фирмы по отдельности при каждом значении изменяемого "
        "параметра, на одних и тех же случайных числах, и показывает разницу (кластер минус отдельные фирмы) с "
        "95% интервалом (полоса). Где полоса выше нуля, кластер выгоден при этом значении; где ниже — "
        "невыгоден; где включает ноль, расчёты не позволяют сказать. Пунктир отмечает значение сценария, "
        "штриховая линия — где средняя разница пересекает ноль (безубыточность).",
    },
    "read_sensitivity_morris": {
        "en": "Sensitivity draws every parameter from its plausible range and measures how much each one moves the "
        "district's effect. A bar (Morris mu*) is the average size of the change in the effect when one "
        "parameter moves by a step of its range, in the outcome's unit; its line is a 95% interval. Grey bars "
        "cannot be told from no influence (their interval reaches zero): their order among themselves means "
        "nothing. The chance it pays is the share of sampled points at which the district's effect is above "
        "zero.",
        "ru": "Анализ чувствительности берёт каждый параметр из правдоподобного диапазона и измеряет, насколько "
        "он меняет эффект кластера. Столбец (mu* Морриса) — средняя величина изменения эффекта при шаге одного "
        "параметра по его диапазону, в единицах показателя; линия — 95% интервал. Серые столбцы не отличимы от "
        "отсутствия влияния (интервал доходит до нуля): их порядок ничего не значит. Вероятность выгоды — доля "
        "точек выборки, где эффект кластера выше нуля.",
    },
    "read_sensitivity_sobol": {
        "en": "Sensitivity draws every parameter from its plausible range and measures which ones the district's "
        "effect depends on. ST (total order) is the share of the effect's variance a parameter accounts for "
        "with all its interactions; S1 the share it accounts for alone; lines are 95% intervals, and an index "
        "whose interval reaches zero cannot be told from no influence. The chance it pays is the share of "
        "sampled points at which the district's effect is above zero.",
        "ru": "Анализ чувствительности берёт каждый параметр из правдоподобного диапазона и измеряет, от каких "
        "параметров зависит эффект кластера. ST (полный индекс) — доля дисперсии эффекта, которую объясняет "
        "параметр вместе со всеми взаимодействиями; S1 — доля, которую он объясняет один; линии — 95% "
        "интервалы; индекс, чей интервал доходит до нуля, не отличим от отсутствия влияния. Вероятность выгоды "
        "— доля точек выборки, где эффект кластера выше нуля.",
    },
    "read_attribute": {
        "en": "Attribution splits the district's effect among the mechanisms that are on (Shapley values: each "
        "mechanism's average contribution over every order in which the mechanisms could be switched on). The "
        "parts add up to the total effect. Green bars raise the effect, red ones lower it; a part whose 95% "
        "interval includes zero cannot be told from no contribution.",
        "ru": "Разложение делит эффект кластера между включёнными механизмами (значения Шепли: средний вклад "
        "механизма по всем порядкам их включения). Части в сумме дают полный эффект. Зелёные столбцы "
        "повышают эффект, красные — понижают; часть, чей 95% интервал включает ноль, не отличима от нулевого "
        "вклада.",
    },
    "rows_shown": {
        "en": "The first {shown} of {total} rows; all rows: {link}",
        "ru": "Первые {shown} из {total} строк; все строки: {link}",
    },
    "rows_all": {"en": "All {total} rows; as a file: {link}", "ru": "Все строки ({total}); файлом: {link}"},
    "csv_beside": {"en": "{name}, beside this report", "ru": "{name}, рядом с этим отчётом"},
    "scenario_value": {"en": "this scenario: {value}", "ru": "этот сценарий: {value}"},
    "kind_per_firm": {"en": "per firm", "ru": "на фирму"},
    "kind_sector": {"en": "sector total", "ru": "итог по отрасли"},
    "kind_rate": {"en": "rate", "ru": "ставка"},
    "kind_assumed": {"en": "total; follows an assumption", "ru": "итог; следует из допущения"},
    "unit_kRUB_per_firm-year": {"en": "thousand RUB a year", "ru": "тыс. руб. в год"},
    "unit_kRUB_per_year": {"en": "thousand RUB a year", "ru": "тыс. руб. в год"},
    "unit_employees": {"en": "jobs", "ru": "рабочих мест"},
    "unit_jobs": {"en": "jobs", "ru": "рабочих мест"},
    "unit_per_year": {"en": "% of assets a year", "ru": "% от активов в год"},
    "unit_firms": {"en": "firms at the end", "ru": "фирм в конце"},
    "run_details": {"en": "Run details", "ru": "Параметры расчёта"},
    "compare_title": {"en": "district-sim comparison", "ru": "Сравнение district-sim"},
    "what_was_run": {"en": "What was run", "ru": "Что было рассчитано"},
    "headline": {"en": "Headline effects", "ru": "Главные эффекты"},
    "headline_over": {
        "en": "Headline effects, averages over {horizon}",
        "ru": "Главные эффекты, средние за {horizon}",
    },
    "charts": {"en": "Charts", "ru": "Графики"},
    "assumptions": {
        "en": "Assumptions that differ from the defaults",
        "ru": "Допущения, отличные от значений по умолчанию",
    },
    "mechanisms": {"en": "Mechanisms, on and off", "ru": "Механизмы: включённые и выключенные"},
    "switch_columns": {"en": "Mechanism|Switch|Set by", "ru": "Механизм|Положение|Где задано"},
    "switch_on": {"en": "on", "ru": "вкл."},
    "switch_off": {"en": "off", "ru": "выкл."},
    "from_file": {"en": "the scenario file", "ru": "файл сценария"},
    "from_default": {
        "en": "not in the file: the schema's default",
        "ru": "нет в файле: значение по умолчанию",
    },
    "switch_defaults": {
        "en": "A scenario file without a mechanisms: block runs with the schema's defaults: M1 sharing, M7 "
        "trust and M8 entry and exit on; M2 to M6 off.",
        "ru": "Файл сценария без блока mechanisms: рассчитывается со значениями по умолчанию: M1 (обмен "
        "мощностями), M7 (доверие) и M8 (вход и выход) включены; M2–M6 выключены.",
    },
    "set_by": {"en": "Set by", "ru": "Где задано"},
    "what_it_is": {"en": "What it is", "ru": "Что это (по-английски)"},
    "source_default": {"en": "Source of the documented default", "ru": "Источник значения по умолчанию"},
    "caveats": {"en": "Caveats", "ru": "Оговорки"},
    "tables": {"en": "Tables", "ru": "Таблицы"},
    "scenario": {"en": "Scenario", "ru": "Сценарий"},
    "source_file": {"en": "Scenario file", "ru": "Файл сценария"},
    "rerun": {"en": "To run it again", "ru": "Повторить расчёт"},
    "appraisal_title": {
        "en": "{name}: what the programme buys, against the same firms without it (95% intervals)",
        "ru": "{name}: что даёт программа по сравнению с теми же фирмами без неё (95% интервалы)",
    },
    "cost_per_job_axis": {
        "en": "discounted public cost per net additional job-year, kRUB",
        "ru": "дисконтированные госрасходы на чистый дополнительный человеко-год, тыс. руб.",
    },
    "job_years_axis": {"en": "net additional job-years", "ru": "чистые дополнительные человеко-годы"},
    "unbounded": {"en": "unbounded (no job shown)", "ru": "не ограничено (рабочих мест не видно)"},
    "unbounded_short": {"en": "unbounded", "ru": "не ограничено"},
    "within_noise": {
        "en": "interval reaches 0: not told from no influence",
        "ru": "интервал доходит до 0: не отличить от отсутствия влияния",
    },
    "mixed_sizes": {
        "en": "These runs differ in horizon or replications ({runs}); their effects are not comparable side by side.",
        "ru": "Эти расчёты различаются горизонтом или числом повторов ({runs}); их эффекты нельзя сравнивать напрямую.",
    },
    "funding_window": {"en": "weeks the programme pays", "ru": "недели финансирования программы"},
    "appraisal_section": {"en": "Programme appraisal", "ru": "Оценка программы"},
    "rerun_how": {
        "en": "python simulate.py FOLDER/scenario.yaml (the resolved scenario saved in this folder)",
        "ru": "python simulate.py ПАПКА/scenario.yaml (итоговый сценарий, сохранённый в этой папке)",
    },
    "run_record": {"en": "Command line, times, workers", "ru": "Команда, время, число процессов"},
    "run_record_where": {
        "en": "in manifest.json, the one file of this folder that differs between reruns of the same scenario and seed",
        "ru": "в manifest.json: единственный файл этой папки, который меняется при повторе того же сценария "
        "с тем же seed",
    },
    "regimes": {"en": "Regimes (baseline first)", "ru": "Режимы (базовый первым)"},
    "replications": {"en": "Replications per regime", "ru": "Повторов на режим"},
    "weeks": {"en": "Weeks simulated", "ru": "Недель моделирования"},
    "seed": {"en": "Root seed", "ru": "Начальное зерно генератора"},
    "version": {"en": "Version (git commit)", "ru": "Версия (коммит git)"},
    "outcome": {"en": "Outcome", "ru": "Показатель"},
    "regime": {"en": "Regime", "ru": "Режим"},
    "baseline_value": {"en": "Baseline", "ru": "База"},
    "difference": {"en": "Difference", "ru": "Разница"},
    "ci95": {"en": "95% CI", "ru": "95% ДИ"},
    "relative": {"en": "Relative", "ru": "Относительно"},
    "parameter": {"en": "Parameter", "ru": "Параметр"},
    "value": {"en": "Value", "ru": "Значение"},
    "default": {"en": "Default", "ru": "По умолчанию"},
    "unit": {"en": "Unit", "ru": "Единица"},
    "plausible": {"en": "Plausible range", "ru": "Правдоподобный диапазон"},
    "source": {"en": "Source", "ru": "Источник"},
    "none_differ": {"en": "Every parameter has its default value.", "ru": "Все параметры имеют значения по умолчанию."},
    "no_mechanisms": {"en": "No mechanism was on.", "ru": "Ни один механизм не был включён."},
    "higher": {"en": "higher", "ru": "выше"},
    "lower": {"en": "lower", "ru": "ниже"},
    "unchanged": {"en": "unchanged", "ru": "не изменилось"},
    "sentence_rel": {
        "en": "{regime}: {label} is {value}% {direction} than in '{baseline}' (95% CI {low}% to {high}%).",
        "ru": "{regime}: {label} на {value}% {direction}, чем в режиме «{baseline}» (95% ДИ от {low}% до {high}%).",
    },
    "sentence_pts": {
        "en": "{regime}: {label} is {value} percentage points {direction} than in '{baseline}' "
        "(95% CI {low} to {high} points).",
        "ru": "{regime}: {label} на {value} п. п. {direction}, чем в режиме «{baseline}» "
        "(95% ДИ от {low} до {high} п. п.).",
    },
    "sentence_abs": {
        "en": "{regime}: {label} changes by {amount} against '{baseline}' (95% CI {low} to {high}).",
        "ru": "{regime}: {label} изменяется на {amount} по сравнению с режимом «{baseline}» "
        "(95% ДИ от {low} до {high}).",
    },
    "sentence_same": {
        "en": "{regime}: {label} is the same as in '{baseline}' in every replication.",
        "ru": "{regime}: {label} — так же, как в режиме «{baseline}», во всех повторах.",
    },
    "not_significant": {
        "en": " The interval includes zero: the data do not show an effect.",
        "ru": " Интервал включает ноль: данные не показывают эффекта.",
    },
    "selection": {
        "en": "Members and non-members are compared inside the same runs. Membership is drawn at random "
        "in this model; in real districts firms choose to join, so a comparison of members with "
        "non-members there carries selection effects.",
        "ru": "Члены и нечлены кластера сравниваются внутри одних и тех же прогонов. В модели членство "
        "назначается случайно; в реальных кластерах фирмы выбирают сами, поэтому сравнение членов и "
        "нечленов там несёт эффект отбора.",
    },
    "few_reps": {
        "en": "Only {n} replications per regime: the intervals are wide and rest on few runs.",
        "ru": "Всего {n} повторов на режим: интервалы широкие и опираются на немногие прогоны.",
    },
    "precision": {"en": "Precision target: {note}", "ru": "Целевая точность: {note}"},
    "model_caveat": {
        "en": "These are model results under the stated assumptions, not forecasts; the evidence puts "
        "the real district premium at a few percent, varying by sector and place.",
        "ru": "Это результаты модели при указанных допущениях, а не прогноз; по эмпирическим данным "
        "реальная премия кластера составляет несколько процентов и зависит от отрасли и места.",
    },
    "compare_effects": {"en": "Effects side by side", "ru": "Эффекты рядом"},
    "compared_runs": {"en": "Runs compared", "ru": "Сравниваемые расчёты"},
    "folder": {"en": "Results folder", "ru": "Папка результатов"},
    "effect_pts": {
        "en": "paired difference, percentage points (bars: 95% CI)",
        "ru": "парная разница, п. п. (усы: 95% ДИ)",
    },
    "effect_pct": {
        "en": "paired difference, % of the baseline (bars: 95% CI)",
        "ru": "парная разница, % от базы (усы: 95% ДИ)",
    },
    "generated": {"en": "Generated by district-sim", "ru": "Создано district-sim"},
    "validation_title": {"en": "district-sim validation", "ru": "Проверка модели district-sim"},
    "validation_size": {"en": "Size", "ru": "Объём"},
    "validation_quick": {
        "en": "quick (smaller runs of the same checks)",
        "ru": "быстрая (те же проверки на меньших прогонах)",
    },
    "validation_full": {"en": "full", "ru": "полная"},
    "validation_result": {"en": "Result", "ru": "Итог"},
    "validation_counts": {
        "en": "{passed} checks passed, {inconclusive} inconclusive, {failed} failed",
        "ru": "проверок пройдено: {passed}, не решено: {inconclusive}, не пройдено: {failed}",
    },
    "checks": {"en": "Checks", "ru": "Проверки"},
    "check_columns": {
        "en": "group|check|expected|simulated [95% interval]|tolerance|result",
        "ru": "группа|проверка|ожидается|в модели [95% интервал]|допуск|итог",
    },
    "check_pass": {"en": "pass", "ru": "пройдена"},
    "check_fail": {"en": "FAIL", "ru": "НЕ ПРОЙДЕНА"},
    "check_inconclusive": {
        "en": "inconclusive (interval wider than the range)",
        "ru": "не решено (интервал шире диапазона)",
    },
    "every_replication": {"en": "{value} (no spread across runs)", "ru": "{value} (без разброса между прогонами)"},
    "groups": {"en": "What each group shows, and its source", "ru": "Что показывает каждая группа, и источник"},
    "group_columns": {"en": "group|what it shows|source", "ru": "группа|что показывает|источник"},
    "validation_caveat": {
        "en": "A passing check shows the model agrees with an analytic result in its limits, or is not "
        "inconsistent with a range from the evidence, at the stated sizes; it does not show that the "
        "pilots' assumptions are right. Check names and descriptions are in English, as in validation.csv.",
        "ru": "Пройденная проверка показывает, что модель согласуется с аналитическим результатом в "
        "предельном случае или не противоречит диапазону из эмпирических данных при указанных объёмах; "
        "она не доказывает верность допущений пилотов. Названия и описания проверок даны по-английски, "
        "как в validation.csv.",
    },
    "design_kind": {"en": "Job", "ru": "Задание"},
    "runs": {"en": "Runs", "ru": "Прогонов"},
    "break_even": {"en": "Break-even points", "ru": "Точки безубыточности"},
    "sensitivity": {"en": "Sensitivity", "ru": "Чувствительность"},
    "attribution": {"en": "Attribution to mechanisms", "ru": "Вклад механизмов"},
    "sweep_effects": {"en": "Effects at each point", "ru": "Эффекты в каждой точке"},
    "week": {"en": "week", "ru": "неделя"},
    "regime_band": {"en": "regime (band: 95% CI)", "ru": "режим (полоса: 95% ДИ)"},
    "review_line": {
        "en": "capacity review (assets sold below book)",
        "ru": "пересмотр мощностей (продажа ниже балансовой)",
    },
    "regime_bars": {"en": "regime (error bars: 95% CI)", "ru": "режим (усы: 95% ДИ)"},
    "levels_title": {
        "en": "{title} ({weeks}-week average, {reps} replications)",
        "ru": "{title} (скользящее среднее за {weeks} нед., {reps} повторов)",
    },
    "key_metrics": {"en": "{title}: key metrics over time", "ru": "{title}: ключевые показатели во времени"},
    "mechanism_metrics": {
        "en": "{title}: costs, quality, trust, exports, local suppliers",
        "ru": "{title}: затраты, качество, доверие, экспорт, местные поставщики",
    },
    "minus": {"en": "{regime} minus {baseline}", "ru": "{regime} минус {baseline}"},
    "diff_title": {"en": "{label}: difference", "ru": "{label}: разница"},
    "diff_axis": {"en": "difference in {label} ({unit})", "ru": "разница: {label} ({unit})"},
    "diff_legend": {"en": "paired difference (band: 95% CI)", "ru": "парная разница (полоса: 95% ДИ)"},
    "diff_suptitle": {
        "en": "{title}: paired difference against '{baseline}' ({weeks}-week average)",
        "ru": "{title}: парная разница с режимом «{baseline}» (скользящее среднее за {weeks} нед.)",
    },
    "vs": {"en": "{regime} vs {baseline}", "ru": "{regime} против {baseline}"},
    "effects_axis": {
        "en": "paired difference, percent of the baseline mean (error bars: 95% CI)",
        "ru": "парная разница, % от среднего базового режима (усы: 95% ДИ)",
    },
    "effects_title": {"en": "{title}: effect on horizon averages", "ru": "{title}: эффект на средние за горизонт"},
    "stage_axis": {"en": "capacity used, percent of capacity held", "ru": "использовано мощностей, % от имеющихся"},
    "stage_title": {
        "en": "{title}: utilisation by stage (horizon average)",
        "ru": "{title}: загрузка по стадиям (среднее за горизонт)",
    },
    "members_word": {"en": "members", "ru": "члены"},
    "nonmembers_word": {"en": "non-members", "ru": "нечлены"},
    "formation_title": {
        "en": "{title}: how the district forms (firms join and leave by choice)",
        "ru": "{title}: как складывается кластер (фирмы вступают и выходят сами)",
    },
    "members_title_choice": {
        "en": "{title}: members and non-members in the same runs (firms chose: the groups differ "
        "before they join; see the evaluator's view)",
        "ru": "{title}: члены и нечлены в одних прогонах (фирмы выбирали сами: группы различаются "
        "и до вступления; см. взгляд оценщика)",
    },
    "selection_choice": {
        "en": "Firms chose whether to join, so members and non-members differ before they join. The "
        "section 'What an evaluator would see' shows how far the usual estimates fall from the true effect.",
        "ru": "Фирмы сами решали, вступать ли, поэтому члены и нечлены различаются и до вступления. "
        "Раздел «Что увидел бы оценщик» показывает, насколько обычные оценки отходят от истинного эффекта.",
    },
    "evaluator_view": {"en": "What an evaluator would see", "ru": "Что увидел бы оценщик"},
    "evaluator_intro": {
        "en": "In real data an evaluator sees only the district: members against non-members, or firms "
        "before and after they join. This model also runs the same firms without the district (common "
        "random numbers), so it can say how far those estimates fall from the true effect.",
        "ru": "В реальных данных оценщик видит только кластер: членов против нечленов или фирмы до и после "
        "вступления. Модель прогоняет те же фирмы и без кластера (общие случайные числа) и потому "
        "может сказать, насколько эти оценки отходят от истинного эффекта.",
    },
    "estimate": {"en": "Estimate", "ru": "Оценка"},
    "est_true_effect": {
        "en": "True effect on members (the same firms without the district)",
        "ru": "Истинный эффект для членов (те же фирмы без кластера)",
    },
    "est_naive": {"en": "Naive comparison: members minus non-members", "ru": "Наивное сравнение: члены минус нечлены"},
    "est_naive_bias": {
        "en": "Naive comparison minus the true effect",
        "ru": "Наивное сравнение минус истинный эффект",
    },
    "est_did": {"en": "Difference-in-differences on joiners", "ru": "Разность разностей для вступивших"},
    "est_true_effect_joiners": {
        "en": "True effect on the same joiners, after joining",
        "ru": "Истинный эффект для тех же вступивших, после вступления",
    },
    "est_did_bias": {
        "en": "Difference-in-differences minus the true effect on joiners",
        "ru": "Разность разностей минус истинный эффект для вступивших",
    },
    "est_joiners": {
        "en": "Joiners the difference-in-differences can use, per run",
        "ru": "Вступивших, пригодных для разности разностей, на прогон",
    },
    "naive_what": {"en": "The naive member/non-member comparison", "ru": "Наивное сравнение членов и нечленов"},
    "did_what": {"en": "Difference-in-differences", "ru": "Разность разностей"},
    "bias_over": {
        "en": "{what} overstates the true effect on members by {span}.",
        "ru": "{what} завышает истинный эффект для членов на {span}.",
    },
    "bias_under": {
        "en": "{what} understates the true effect on members by {span}.",
        "ru": "{what} занижает истинный эффект для членов на {span}.",
    },
    "bias_unclear": {
        "en": "{what} cannot be told apart from the true effect at this number of replications: {span}.",
        "ru": "{what} при этом числе прогонов неотличимо от истинного эффекта: {span}.",
    },
    "bias_none": {
        "en": "{what}: no estimate (too few firms joined with a full window before and after).",
        "ru": "{what}: оценки нет (слишком мало фирм вступило с полным окном до и после).",
    },
    "bias_span": {
        "en": "{mean} kRUB per firm-week (95% interval {low} to {high})",
        "ru": "{mean} тыс. руб. на фирму в неделю (95% интервал от {low} до {high})",
    },
    "members_title": {
        "en": "{title}: members and non-members in the same runs "
        "(membership is random here; chosen membership would add selection effects)",
        "ru": "{title}: члены и нечлены в одних прогонах "
        "(здесь членство случайно; при добровольном членстве добавится эффект отбора)",
    },
    "members_units": {
        "en": "kRUB per firm-week|percent a year|percent of starting firms",
        "ru": "тыс. руб. на фирму в неделю|% в год|% от начальных фирм",
    },
    "members_panels": {
        "en": "Profit per firm|Return on assets|Survival",
        "ru": "Прибыль на фирму|Рентабельность активов|Выживаемость",
    },
    "break_even_at": {"en": "break-even {value}", "ru": "безубыточность {value}"},
    "sweep_title": {
        "en": "{label}: district effect against {path} (band: 95% CI)",
        "ru": "{label}: эффект кластера в зависимости от {path} (полоса: 95% ДИ)",
    },
    "total": {"en": "total", "ru": "итого"},
    "waterfall_title": {
        "en": "{title}: the district effect on {label} split among mechanisms (Shapley values, 95% CI)",
        "ru": "{title}: эффект кластера ({label}) по механизмам (значения Шепли, 95% ДИ)",
    },
    "morris_axis": {
        "en": "Morris mu* of the district effect on {label} ({unit}; error bars: 95% CI)",
        "ru": "mu* Морриса для эффекта района: {label} ({unit}; усы: 95% ДИ)",
    },
    "sobol_axis": {
        "en": "Sobol index of the district effect on {label} (share of variance; error bars: 95% CI)",
        "ru": "Индекс Соболя для эффекта района: {label} (доля дисперсии; усы: 95% ДИ)",
    },
    "st": {"en": "total (ST)", "ru": "полный (ST)"},
    "mu_star": {"en": "mu* (error bars: 95% CI)", "ru": "mu* (усы: 95% ДИ)"},
    "ci_bars": {"en": "error bars: 95% CI", "ru": "усы: 95% ДИ"},
    "effects_outcomes": {
        "en": "Outcomes: district minus standalone, per cent of the standalone value",
        "ru": "Результаты: кластер минус отдельные фирмы, % от значения без кластера",
    },
    "effects_rates": {
        "en": "Rates: district minus standalone, percentage points",
        "ru": "Ставки и доли: кластер минус отдельные фирмы, п. п.",
    },
    "effects_assumed": {
        "en": "Mostly restating an assumption (adjacent.member_local_share), per cent: not a finding",
        "ru": "В основном повторяет допущение (adjacent.member_local_share), %: не вывод модели",
    },
    "effect_good": {"en": "clearly better", "ru": "ясно лучше"},
    "effect_bad": {"en": "clearly worse", "ru": "ясно хуже"},
    "effect_unclear": {"en": "cannot tell (interval includes 0)", "ru": "нельзя сказать (интервал включает 0)"},
    "effect_neutral": {"en": "neither better nor worse (assets)", "ru": "ни лучше, ни хуже (активы)"},
    "raises": {"en": "mechanism raises the effect", "ru": "механизм увеличивает эффект"},
    "lowers": {"en": "mechanism lowers the effect", "ru": "механизм уменьшает эффект"},
    "total_effect": {"en": "total district effect", "ru": "общий эффект кластера"},
    "s1": {"en": "first order (S1)", "ru": "первого порядка (S1)"},
    "sensitivity_title": {
        "en": "{title}: which uncertain parameters move the district effect ({method})",
        "ru": "{title}: какие неопределённые параметры влияют на эффект кластера ({method})",
    },
    "compare_chart_title": {
        "en": "District effects side by side: {metric}",
        "ru": "Эффекты кластера рядом: {metric}",
    },
    "difference_in": {"en": "difference in", "ru": "разница:"},
}

MECHANISM_NAMES: dict[str, dict[str, str]] = {
    "sharing": {
        "en": "Sharing idle capacity and subcontracting (M1)",
        "ru": "Обмен простаивающими мощностями и субподряд (M1)",
    },
    "asset_light": {"en": "Asset-light investment (M2)", "ru": "Облегчённые инвестиции в активы (M2)"},
    "specialization": {"en": "Specialisation and learning (M3)", "ru": "Специализация и обучение (M3)"},
    "spillovers": {"en": "Knowledge spillovers (M4)", "ru": "Перетоки знаний (M4)"},
    "adjacent": {"en": "Adjacent industries (M5)", "ru": "Смежные отрасли (M5)"},
    "export": {"en": "Joint export (M6)", "ru": "Совместный экспорт (M6)"},
    "trust": {"en": "Trust and opportunism (M7)", "ru": "Доверие и оппортунизм (M7)"},
    "entry_exit": {"en": "Entry and exit (M8)", "ru": "Вход и выход фирм (M8)"},
}

MECHANISM_SHORT: dict[str, dict[str, str]] = {
    "sharing": {"en": "sharing (M1)", "ru": "обмен мощностями (M1)"},
    "asset_light": {"en": "asset-light (M2)", "ru": "облегчённые активы (M2)"},
    "specialization": {"en": "specialisation (M3)", "ru": "специализация (M3)"},
    "spillovers": {"en": "spillovers (M4)", "ru": "перетоки знаний (M4)"},
    "adjacent": {"en": "adjacent (M5)", "ru": "смежные отрасли (M5)"},
    "export": {"en": "export (M6)", "ru": "экспорт (M6)"},
    "trust": {"en": "trust (M7)", "ru": "доверие (M7)"},
    "entry_exit": {"en": "entry/exit (M8)", "ru": "вход и выход (M8)"},
}

LABELS_RU: dict[str, str] = {
    "firms_active": "Активные фирмы",
    "members": "Члены кластера",
    "entries": "Входы фирм",
    "exits": "Выходы фирм",
    "demand": "Спрос",
    "output": "Выпуск",
    "lost_sales": "Потерянные продажи",
    "backlog": "Невыполненные заказы",
    "revenue": "Выручка",
    "export_share": "Доля экспорта",
    "total_cost": "Полные затраты",
    "profit": "Прибыль",
    "cash": "Денежные средства",
    "fixed_assets": "Основные средства",
    "roa": "Рентабельность активов",
    "utilization": "Загрузка мощностей",
    "idle_capacity": "Простаивающие мощности",
    "unit_cost": "Себестоимость единицы",
    "defect_rate": "Доля брака",
    "lead_time": "Срок выполнения",
    "shared_units": "Работы между фирмами",
    "failed_units": "Несделанные работы партнёров",
    "coordination_cost": "Затраты на координацию",
    "trust_mean": "Среднее доверие",
    "partner_links": "Партнёрские связи",
    "reputation": "Репутация кластера",
    "export_open": "Экспортный канал открыт",
    "adjacent_revenue": "Выручка смежных отраслей",
    "adjacent_jobs": "Рабочие места в смежных отраслях",
    "adjacent_entries": "Новые фирмы смежных отраслей",
    "employment": "Занятость",
    "profit_gini": "Неравенство прибыли (Джини)",
    "member_firms": "Активные члены",
    "nonmember_firms": "Активные нечлены",
    "member_profit": "Прибыль на члена",
    "nonmember_profit": "Прибыль на нечлена",
    "member_roa": "Рентабельность активов членов",
    "nonmember_roa": "Рентабельность активов нечленов",
    "member_survival": "Выживаемость членов",
    "nonmember_survival": "Выживаемость нечленов",
    "smaller_profit": "Прибыль на меньшую фирму",
    "larger_profit": "Прибыль на большую фирму",
    "smaller_survival": "Выживаемость меньших фирм",
    "larger_survival": "Выживаемость больших фирм",
    "profit_per_firm": "Прибыль на фирму",
    "joins": "Вступления",
    "leaves": "Выходы",
    "member_share": "Доля членов среди допущенных фирм",
    "sustained": "Кластер держится сам",
    "weeks_to_sustain": "Недель до самоподдержания",
    "entrant_survival": "Выживаемость новых фирм",
    "public_cost": "Государственные расходы",
    "public_to_firms": "Субсидии фирмам",
    "public_spent": "Государственные расходы с начала",
    "private_leveraged": "Привлечённые частные инвестиции",
    "public_fees": "Плата пользователей агентству",
    "member_employment": "Занятость в фирмах-членах",
}

UNITS_RU: dict[str, str] = {
    "firms": "фирм",
    "firms per week": "фирм в неделю",
    "fraction of runs": "доля прогонов",
    "units per week": "ед. в неделю",
    "units": "ед.",
    "kRUB per week": "тыс. руб. в неделю",
    "kRUB": "тыс. руб.",
    "kRUB per unit": "тыс. руб. за ед.",
    "kRUB per firm-week": "тыс. руб. на фирму в неделю",
    "fraction": "доля",
    "per year": "в год",
    "weeks": "недель",
    "stage-units per week": "ед. работ в неделю",
    "0..1": "0..1",
    "links": "связей",
    "fraction of weeks": "доля недель",
    "jobs": "рабочих мест",
    "employees": "работников",
    "percentage points": "п. п.",
}


PLURALS: dict[str, tuple[str, str, str]] = {
    "year": ("year", "years", "years"),
    "week": ("week", "weeks", "weeks"),
    "firm": ("firm", "firms", "firms"),
    "replication": ("replication", "replications", "replications"),
    "run": ("run", "runs", "runs"),
}
PLURALS_RU: dict[str, tuple[str, str, str]] = {
    "year": ("год", "года", "лет"),
    "week": ("неделя", "недели", "недель"),
    "firm": ("фирма", "фирмы", "фирм"),
    "replication": ("повтор", "повтора", "повторов"),
    "run": ("прогон", "прогона", "прогонов"),
}


UNIT_WORDS_RU: dict[str, tuple[str, str, str]] = {
    "firms": PLURALS_RU["firm"],
    "weeks": PLURALS_RU["week"],
    "employees": ("работник", "работника", "работников"),
    "jobs": ("рабочее место", "рабочих места", "рабочих мест"),
    "links": ("связь", "связи", "связей"),
}


def _ru_form(x: float, forms: tuple[str, str, str]) -> str:
    """The Russian form of a noun after the number ``x``: by the last digits for whole numbers
    (1 фирма, 2 фирмы, 5 фирм), the genitive singular after a fraction (5,4 фирмы)."""
    one, few, many = forms
    if not float(x).is_integer():
        return few
    n = abs(int(x))
    tail, tens = n % 10, n % 100
    return one if tail == 1 and tens != 11 else few if 2 <= tail <= 4 and not 12 <= tens <= 14 else many


def amount(x: float, unit_text: str, lang: str = "en", digits: int = 3) -> str:
    """A number with its unit, the noun agreeing with the number in Russian (``5,4 фирмы``)."""
    shown = number(x, lang, digits)
    if lang == "ru" and unit_text in UNIT_WORDS_RU and isinstance(x, int | float) and math.isfinite(x):
        rounded = float(shown.replace("\u00a0", "").replace(",", "."))
        return f"{shown} {_ru_form(rounded, UNIT_WORDS_RU[unit_text])}"
    return f"{shown} {unit(unit_text, lang)}"


def count(n: int, word: str, lang: str = "en") -> str:
    """``1 firm``, ``5 firms``; in Russian ``1 фирма``, ``2 фирмы``, ``5 фирм``, ``21 фирма``."""
    n = int(n)
    if lang == "ru":
        return f"{number(n, lang)} {_ru_form(n, PLURALS_RU[word])}"
    one, _, many = PLURALS[word]
    return f"{number(n, lang)} {one if n == 1 else many}"


REGIMES_RU = {
    "standalone": "без кластера",
    "district": "кластер",
    "no_programme": "без программы",
    "programme": "программа",
}
"""Russian names of the pilots' regimes; a scenario's own regime names are shown as written."""


def regime_name(name: str, lang: str = "en") -> str:
    """A regime's name for people: the pilots' regimes translated, others as the scenario names them."""
    return REGIMES_RU.get(name, name) if lang == "ru" else name


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language '{lang}' (have: {', '.join(LANGS)})")
    return lang


def tr(key: str, lang: str = "en", **fields: object) -> str:
    """The phrase ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = PHRASES[key][check_lang(lang)]
    return text.format(**fields) if fields else text


def label(metric: str, english: str, lang: str = "en") -> str:
    """A metric's label; per-stage utilisation keeps its stage name."""
    if lang == "en":
        return english
    if metric.startswith("utilization_") and metric not in LABELS_RU:
        return f"Загрузка: {metric.removeprefix('utilization_')}"
    return LABELS_RU.get(metric, english)


def unit(text: str, lang: str = "en") -> str:
    return text if lang == "en" else UNITS_RU.get(text, text)


def mechanism(name: str, lang: str = "en", *, short: bool = False) -> str:
    return (MECHANISM_SHORT if short else MECHANISM_NAMES).get(name, {}).get(lang, name)


def number(x: float | int | None, lang: str = "en", digits: int = 3) -> str:
    """A number for people: thousands separated, ``digits`` significant digits (at least the integer part)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a" if lang == "en" else "н/д"
    x = float(x)
    if x == 0:
        text = "0"
    else:
        magnitude = math.floor(math.log10(abs(x)))
        decimals = max(0, digits - 1 - magnitude)
        text = f"{x:,.{decimals}f}"
        if decimals and "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", "-0.0"):
            text = "0"
    if lang == "ru":  # 12 345,6 with a no-break space between thousands
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


APPRAISAL_RU = {
    "no_bounded": "Ни один вариант программы не добавляет рабочих мест в среднем, так что по данным нельзя "
    "сказать, что программа создаёт рабочие места.",
    "unbounded": "{said}; интервал чистых человеко-лет доходит до нуля, так что и этот вариант может не "
    "создать ни одного рабочего места, и порядок не определён.",
    "infinite": "не ограничено",
    "lowest": "Наименьшая стоимость чистого человеко-года: «{regime}», {mean} тыс. руб. [{low}; {high}]",
    "alone": "{said}.",
    "overlap": "{said}; её интервал перекрывается с {names}, так что порядок не определён.",
    "no_overlap": "{said}; её интервал не перекрывается с остальными.",
    "benefits": "Выгоды (прибыль фирм без полученных субсидий) против госрасходов: {parts}.",
    "pays": "окупается с доверительной вероятностью 95% (отношение выгод к затратам выше 1): {names}",
    "loses": "не окупается: {names}",
    "unclear": "по данным нельзя сказать, окупается ли: {names}",
}
"""The appraisal's sentences in Russian (``experiments.appraisal.PHRASES`` holds the English)."""
