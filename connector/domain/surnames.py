"""Common surnames in France, normalised: used to tell a typo from another family's name.

« Girard » typed for a Léa GÉRARD is one letter away, yet Girard is a common surname: with no
number or e-mail to back it, a careful connector reads the young person's own name, not a
slip (they may simply have no dossier yet). A last name one letter off identifies on the names
alone only when the typed spelling is not in this list; with a dossier number or an e-mail
that designates the dossier, it still confirms it.

About 900 of the most frequent surnames of people living in France, metropolitan and overseas
(La Réunion, the Antilles, Guyane, Mayotte), the common ones of Portuguese, Spanish, Italian,
North and West African origin included. Folded as ``names._form`` folds them: lower case, no
accents, no spaces, hyphens or apostrophes.
"""

from __future__ import annotations

__all__ = ["KNOWN_SURNAMES"]

_NAMES = """
martin bernard thomas petit robert richard durand dubois moreau laurent simon michel lefebvre
leroy roux david bertrand morel fournier girard bonnet dupont lambert fontaine rousseau vincent
muller lefevre faure andre mercier blanc guerin boyer garnier chevalier francois legrand
gauthier garcia perrin robin clement morin nicolas henry roussel mathieu gautier masson marchand
duval denis dumont marie lemaire noel meyer dufour meunier brun blanchard giraud joly riviere
lucas brunet gaillard barbier arnaud martinez gerard roche renard schmitt roy leroux colin vidal
caron picard roger fabre aubert lemoine renaud dumas lacroix olivier philippe bourgeois pierre
benoit rey leclerc payet rolland leclercq guillaume lecomte lopez jean dupuy guillot hubert
berger carpentier sanchez dupuis moulin louis deschamps huet vasseur perez boucher fleury royer
klein jacquet adam paris poirier marty aubry guyot carre charles renault charpentier menard
maillard baron bertin bailly herve schneider fernandez legall collet leger bouvier julien
prevost millet perrot daniel leroux cousin germain breton besson langlois remy legoff pelletier
leveque perrier leblanc barre lebrun marchal weber mallet hamon boulanger jacob monnier michaud
rodriguez guichard gillet etienne grondin poulain tessier chevallier collin chauvin dasilva
bouchet gay lemaitre benard marechal humbert reynaud antoine hoarau perret barthelemy cordier
pichon lejeune gilbert lamy delaunay pasquier carlier laporte gomez marin roux ricard favre
rousset guillon lopes martins besnard roland guyon fernandes gonzalez rodrigues ferreira
pereira goncalves dossantos oliveira alves ribeiro teixeira carvalho costa sousa pinto lima
moreira mendes nunes soares vieira marques barbosa cardoso araujo rocha lopes monteiro
coelho machado azevedo correia cunha magalhaes tavares pires neves freitas leite sa
hernandez diaz moreno munoz alvarez romero navarro torres dominguez ramos gil serrano blanco
molina ortiz castro rubio marin sanz iglesias nunez medina garrido santos castillo cortes
lozano guerrero cano prieto mendez calvo cruz gallego vidal leon herrera marquez pena flores
cabrera campos vega fuentes carrasco diez caballero reyes nieto aguilar pascual santana
herrero montero lorenzo hidalgo gimenez ibanez ferrer duran santiago benitez mora vicente
vargas arias carmona crespo roman pastor soto saez velasco moya soler parra esteban bravo
gallardo rojas rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno
gallo conti deluca costa giordano mancini rizzo lombardi moretti barbieri fontana santoro
mariani rinaldi caruso ferrara galli martini leone longo gentile martinelli vitale lombardo
serra coppola desantis dangelo marchetti parisi villa conte ferraro ferri fabbri bianco
marini grasso valentini messina sala gatti pellegrini palumbo sanna farina rizzi monti
cattaneo morelli amato silvestri mazza testa grassi pellegrino carbone giuliani benedetti
barone rossetti caputo montanari guerra palmieri bernardi martino fiore ferretti bellini basile
riva donati piras vitali battaglia sartori neri costantini milani pagano ruggiero sorrentino
damico orlando negri mantovani
benali benamor bensaid benyoussef benahmed benmohamed bouzid belkacem mansouri amrani haddad
brahimi saidi hamidi rahmani meziane cherif bouaziz boukhari chaoui daoud djebbar ferhat
guerroudj hadjadj hamdi kaci khelifi larbi mahmoudi mebarki messaoudi nasri ouali rahal
slimani taleb yahiaoui zerrouki ziani aissaoui benabdallah bensalem boudjema chabane dahmani
djellali gharbi hachemi idir kaddour lahlou mammeri moussaoui naceri otmani rezgui sadi
tahri touati yacine zidane azzouz bakir bouchareb chikhi elidrissi elamrani bennani alaoui
tazi elfassi berrada benjelloun chraibi lahlou ouazzani sebti tahiri zahraoui benkirane
elmansouri aitali aitahmed ahmed ali mohamed mohammed hassan hussein ibrahim ismail omar
youssef mustapha khalil karim salah nasser
diallo traore diop camara coulibaly cisse konate sow fofana keita toure sylla mendy ndiaye
sy kone diarra sangare bamba doumbia kante barry balde bah sissoko dembele diakite sidibe
ba fall gueye faye seck niang thiam sarr ndour sall kane wade ly dia tall mbaye diouf
diagne ndoye sene ciss niakate soumare tandia dramé drame konte sacko samake soumah tounkara
ouattara yao kouame kouassi konan nguessan koffi kouadio aka bakayoko
nguyen tran le pham hoang phan vu vo dang bui do ho ngo duong ly truong dinh lam chen wang
zhang liu li yang huang zhao wu zhou xu sun ma zhu hu guo lin he gao luo zheng
yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan kilic aslan
cetin kara koc kurt ozkan simsek
hoareau techer maillot lebon nativel dijoux sautron clain mussard lauret turpin baret
gonthier etheve damour cadet begue lebreton grondin payet vitry
jeanbaptiste belair lubin alexis jeanlouis theodore ramassamy sainterose desire hippolyte
jeanjoseph jeanmarie pierrelouis saintlouis saintjean
ahamada said abdallah madi attoumani soilihi houmadi youssouf bacar moussa
lebihan leguen lecorre lemeur legal lebris lebars lefloch leroux leblanc lebreton lefur
lemoal leborgne lemee lemeur legrand legros lenoir lefranc lemercier letellier leclere
legendre leduc leduff lefort leger lelievre lemoigne lepage lepetit leprince lerouge lescure
lesage levasseur leveque dalmeida desousa dacosta deoliveira vandenberg saintmartin
abadie achard adrien agostini aillaud albert allain allard alix allemand amiot anne anselme
antunes armand arnould arnoux astier aubin audibert audouin aumont auger auvray avril babin
bailleul balland ballet barbe barbet barbot bardet barraud barreau barret barriere barthe
basset bataille baudet baudin baudouin baudry bauer bazin beaufils beaumont bechet begue
belin bellanger bellet benoist bernier berthelot berthier bertrand besse bigot billard
billet bisson blanchet blandin blin blondeau blondel bodin boisson bonhomme bonin bonneau
bonnin bontemps bordes borel bosc bouchard boudet bouet bouillon boulay boulet bourdon
bourgoin bousquet boutin bouvet brault bret breton briand brisset brochard bruneau brunel
buisson bureau burel cadiou caillaud caille camus carel caron carre castel cazenave chabert
chambon champion chanel chapelle chapuis charbonnier charrier chartier chatelain chauveau
chauvet chevalier chevrier chretien claude clerc clement cloarec coindre combes constant
cornu cosson coste cottin coudert coulon courtois cousin couturier cros cuvelier dalle
daniel dauphin david deboeuf delacroix delage delahaye delamare delattre delmas delorme
delpech denis deniau derrien desbois deschamps desmarets devaux didier dijoux dubos
duboc dubreuil duchemin duclos ducret dufay dufresne dugue duhamel dulac dumont dupre
durant duval duvernay emery evrard fabre faivre faucher fauvel favier ferrand feuillet
fleury fontaine foucher fouquet fournel fradin francois fremont gabriel gaillard galland
gallet garcin garreau gaudin gauthier gautier gay geoffroy georges gerard germain gervais
gibert gilles girardin girault godard godet goubert goujon goulet goupil grand granger
gras grenier grillet gros guerin guibert guichard guignard guillard guillemin guillet
guillou guiraud guyard guyon hamel hardy hebert henry hemery herve hoarau hubert humbert
imbert jacques jacquot jamet janin jolly jourdan joubert jouan jouve julien jullien
labbe lacombe laine lambert lamotte landry lanoe laroche larue laurent lavigne lebas
lebeau leclerc lecoq lefebvre leger legris lejeune lelong lemaire lemarchand lemonnier
leon lepine leroy lesueur letellier levy lheureux lombard loriot loiseau louvet lucas
maillet maillot maitre marais marc marchais marechal marion maurin maurice mayer mercier
meyer michaud michaux millot moine mongin monnier montagne morand moreau morvan mounier
mouton mullier nedelec noel normand ollivier pages paillard paquet parent pasquier
patin pasquet pelletier pepin perret perrier perrin perrot petitjean peyre philippe
picard piquet pineau pinto pires plante poirier pons porte pottier poulin pouget poulain
prigent provost quere raymond raynaud regnier rey reynaud ribeiro richer rigaud riou rivet
rocher rodier roger rolland romain rondeau roques rossignol rouault rouget rousseau roussel
roy royer ruiz sabatier salmon salaun samson sauvage savary schmidt schmitt seguin sellier
simon soulier tanguy texier thibault thierry thiery thomas tissot torres toussaint tournier
tron vaillant valentin vallee vallet verdier verger vernet viard vidal vigneron vilain
villard vincent vivier voisin wagner weiss
"""

KNOWN_SURNAMES = frozenset(_NAMES.replace("é", "e").split())
